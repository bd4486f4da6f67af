// The machine caller, as every area that serves the API sees it once lib/api/auth.ts has checked
// its key. Below the areas (audit ingest, sharing decisions, API clients) and the door alike.
import { AppError } from "@/lib/errors";

/** A machine caller whose key was checked: its client, trust (null = consortium) and scopes. */
export type ApiCaller = { clientId: string; keyId: string; name: string; trustId: string | null; scopes: readonly string[] };

/** May this caller send data of this trust? A consortium client may send any trust's. */
export function assertCallerTrust(caller: ApiCaller, trustId: string, where: { item?: number; field: string }): void {
  if (caller.trustId !== null && caller.trustId !== trustId) {
    throw new AppError("FORBIDDEN", "This API client may only send data of its own trust.", { issues: [{ ...where, message: "not this client's trust" }] });
  }
}
