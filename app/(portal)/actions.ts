"use server";
import { signOut } from "@/lib/auth/config";

/** Signs the person out: the server-side session ends and the sign-out is audited (lib/auth/config.ts). */
export async function signOutAction() {
  await signOut({ redirectTo: "/sign-in?signedOut=1" });
}
