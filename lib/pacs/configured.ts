import "server-only";
import { env } from "@/lib/env";
import type { Archive } from "./archive";
import { orthancArchive } from "./orthanc";

/** The archive this deployment follows (ORTHANC_URL and its credentials), or null when none is configured. */
export function configuredArchive(): Archive | null {
  const { ORTHANC_URL, ORTHANC_USERNAME, ORTHANC_PASSWORD } = env();
  if (!ORTHANC_URL) return null;
  return orthancArchive({ url: ORTHANC_URL, username: ORTHANC_USERNAME, password: ORTHANC_PASSWORD });
}
