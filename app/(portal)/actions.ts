"use server";
import { signOut } from "@/lib/identity/config";
import { requireContext } from "@/lib/identity/request";

/** Signs the person out: the server-side session ends and the sign-out is audited (lib/identity/config.ts). */
export async function signOutAction() {
  await signOut({ redirectTo: "/sign-in?signedOut=1" });
}

/** Keeps an active person's session alive (the idle warning's "Stay signed in"). */
export async function keepAliveAction() {
  await requireContext();
}

/** Signs out a person whose idle time ran out in the browser. */
export async function idleSignOutAction() {
  await signOut({ redirectTo: "/sign-in?idle=1" });
}
