import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Ctx } from "./context";
import { auth } from "./config";
import { clientInfoFrom } from "./client-info";
import { loadSession } from "./sign-in";

/** The signed-in caller of this request, or null; checked against the server-side session once per request. */
export const getRequestContext = cache(async (): Promise<Ctx | null> => {
  const session = await auth();
  const sessionId = (session as { sessionId?: unknown } | null)?.sessionId;
  if (typeof sessionId !== "string") return null;
  const loaded = await loadSession(sessionId);
  if (!loaded) return null;
  return { ...loaded, client: clientInfoFrom(await headers()) };
});

/** The signed-in caller, or a redirect to the sign-in page. */
export async function requireContext(): Promise<Ctx> {
  const ctx = await getRequestContext();
  if (!ctx) redirect("/sign-in?ended=1");
  return ctx;
}
