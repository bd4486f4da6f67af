import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Ctx } from "@/lib/auth/context";
import { auth } from "./config";
import { clientInfoFrom } from "./client-info";
import { loadSession } from "./sign-in";

/** The live session of this request and its caller, checked against the server once per request. */
const getRequestSession = cache(async (): Promise<{ ctx: Ctx; needsMfaEnrolment: boolean } | null> => {
  const session = await auth();
  const sessionId = (session as { sessionId?: unknown } | null)?.sessionId;
  if (typeof sessionId !== "string") return null;
  const loaded = await loadSession(sessionId);
  if (!loaded) return null;
  const { needsMfaEnrolment, ...caller } = loaded;
  return { ctx: { ...caller, client: clientInfoFrom(await headers()) }, needsMfaEnrolment };
});

/**
 * The signed-in caller of this request, or null. A session that still owes the consortium's
 * required second factor counts as no session here (fails closed for route handlers).
 */
export const getRequestContext = cache(async (): Promise<Ctx | null> => {
  const session = await getRequestSession();
  return session && !session.needsMfaEnrolment ? session.ctx : null;
});

/** The signed-in caller, or a redirect: to sign in, or to set up the required second factor. */
export async function requireContext(): Promise<Ctx> {
  const session = await getRequestSession();
  if (!session) redirect("/sign-in?ended=1");
  if (session.needsMfaEnrolment) redirect("/account/mfa?required=1");
  return session.ctx;
}

/** The signed-in caller for the second-factor set-up page, which must work before enrolment. */
export async function requireEnrollingContext(): Promise<Ctx> {
  const session = await getRequestSession();
  if (!session) redirect("/sign-in?ended=1");
  return session.ctx;
}
