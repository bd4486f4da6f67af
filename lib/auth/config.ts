import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { clientInfoFrom } from "./client-info";
import { endSession, signInWithPassword } from "./sign-in";

class AccountLocked extends CredentialsSignin {
  code = "locked";
}

/**
 * Auth.js with email and password. The JWT cookie carries only a pointer to a server-side session
 * (user_sessions), which lib/auth/request.ts checks on every request: idle timeout, absolute
 * lifetime, the user's status, sign-out. The cookie's own lifetime is the absolute one.
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: env().SESSION_MAX_HOURS * 3600 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  logger: {
    // A wrong password is an audit event, not a server error: keep it out of the error log.
    error(error) {
      // By type, not name: class names are minified in the production build.
      if ((error as { type?: string }).type === "CredentialsSignin") return;
      console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const result = await signInWithPassword(credentials, clientInfoFrom(request.headers));
        if (result.ok) return { id: result.userId, email: result.email, name: result.name, sessionId: result.sessionId };
        if (result.reason === "locked") throw new AccountLocked();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      const sessionId = (user as { sessionId?: unknown } | undefined)?.sessionId;
      if (typeof sessionId === "string") token.sid = sessionId;
      return token;
    },
    session({ session, token }) {
      return { ...session, sessionId: typeof token.sid === "string" ? token.sid : null };
    },
  },
  events: {
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (typeof sid === "string") await endSession(sid, "sign_out");
    },
  },
});
