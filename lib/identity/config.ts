import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import type { Provider } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { env } from "@/lib/env";
import { clientInfoFrom } from "./client-info";
import { endSession, signInWithPassword } from "./sign-in";
import { signInWithOidc } from "./sso";

class SecondFactorRequired extends CredentialsSignin {
  code = "mfa_required";
}

class AccountLocked extends CredentialsSignin {
  code = "locked";
}

class SignInRateLimited extends CredentialsSignin {
  code = "rate_limited";
}

/** The single sign-on provider from the environment (NHS CIS2, Entra ID…), if one is configured. */
function ssoProviders(): Provider[] {
  const e = env();
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return [];
  return [
    {
      id: "oidc",
      name: e.OIDC_NAME,
      type: "oidc",
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      checks: ["pkce", "state", "nonce"],
      authorization: { params: { scope: "openid email profile" } },
    },
  ];
}

/** Is single sign-on configured (for the sign-in page's button)? */
export function ssoName(): string | null {
  return ssoProviders().length ? env().OIDC_NAME : null;
}

/**
 * Auth.js with email and password, and optionally one OpenID Connect provider. The JWT cookie carries only a pointer to a server-side session
 * (user_sessions), which lib/identity/request.ts checks on every request: idle timeout, absolute
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
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" }, code: { label: "Code" } },
      async authorize(credentials, request) {
        const result = await signInWithPassword(credentials, clientInfoFrom(request.headers));
        if (result.ok) return { id: result.userId, email: result.email, name: result.name, sessionId: result.sessionId };
        if (result.reason === "locked") throw new AccountLocked();
        if (result.reason === "rate_limited") throw new SignInRateLimited();
        if (result.reason === "mfa_required") throw new SecondFactorRequired();
        return null;
      },
    }),
    ...ssoProviders(),
  ],
  callbacks: {
    // A single sign-on is matched to an existing account (never creates one) and opens our own
    // server-side session; the same user object then reaches jwt() below with its session id.
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      const e = env();
      const claims = (profile ?? {}) as Record<string, unknown>;
      const result = await signInWithOidc(
        {
          issuer: e.OIDC_ISSUER,
          subject: account.providerAccountId || claims.sub,
          email: typeof claims.email === "string" ? claims.email : undefined,
          emailVerified: typeof claims.email_verified === "boolean" ? claims.email_verified : undefined,
          selectedRoleCode: typeof claims[e.OIDC_ROLE_CLAIM] === "string" ? claims[e.OIDC_ROLE_CLAIM] : undefined,
        },
        clientInfoFrom(await headers()),
      );
      if (!result.ok) return `/sign-in?error=${result.reason === "inactive" ? "sso_inactive" : "sso_unknown"}`;
      (user as { sessionId?: string }).sessionId = result.sessionId;
      return true;
    },
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
