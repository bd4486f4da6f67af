import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  SIGN_IN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  SIGN_IN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  // Rate limits (lib/rate-limit.ts): attempts per window, shared by every instance through the
  // database. Benchmarks and tests raise them; the API's are generous enough for a PACS's ingest.
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RATE_LIMIT_SIGN_IN_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000_000).default(10),
  RATE_LIMIT_SIGN_IN_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000_000).default(30),
  RATE_LIMIT_API_PER_KEY: z.coerce.number().int().min(1).max(1_000_000_000).default(6_000),
  RATE_LIMIT_API_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000_000).default(12_000),
  // Single sign-on through one OpenID Connect provider (NHS CIS2, Entra ID…); all three or none.
  OIDC_ISSUER: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_ID: z.string().optional().or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_SECRET: z.string().optional().or(z.literal("").transform(() => undefined)),
  OIDC_NAME: z.string().default("NHS Care Identity"),
  // The claim that carries the national RBAC job-role code the person selected (CIS2: selected_roleid).
  OIDC_ROLE_CLAIM: z.string().default("selected_roleid"),
  // The checkpoint witness: an append-only folder outside the database (a write-once mount in
  // production; README, "Audit trail"). Relative paths are from the working directory.
  // Unset: the demo's folder beside the embedded database (witness.ts, demoWitnessDir); required
  // in production with DATABASE_URL.
  AUDIT_WITNESS_DIR: z.string().trim().min(1).optional().or(z.literal("").transform(() => undefined)),
  // How often the serving process signs and witnesses the chains whose head moved: the longest an
  // event stays unprotected by a witnessed checkpoint, plus the time to sign.
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  // The image archive (an Orthanc; README, "A real PACS"): unset, the connector does not run. Its
  // REST API should answer Mosaic alone (loopback or a private network) and only with these credentials.
  ORTHANC_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  ORTHANC_USERNAME: z.string().optional().or(z.literal("").transform(() => undefined)),
  ORTHANC_PASSWORD: z.string().optional().or(z.literal("").transform(() => undefined)),
  // The archive behind the DICOMweb gateway (/dicom-web): its DICOMweb root and credentials. Unset:
  // the Orthanc of ORTHANC_URL, at its DicomWeb plugin's root, with ORTHANC_USERNAME and ORTHANC_PASSWORD.
  DICOMWEB_UPSTREAM_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  DICOMWEB_UPSTREAM_USERNAME: z.string().optional().or(z.literal("").transform(() => undefined)),
  DICOMWEB_UPSTREAM_PASSWORD: z.string().optional().or(z.literal("").transform(() => undefined)),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** The environment, validated once; a bad value stops the process with the variable named. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${lines}`);
  }
  const d = parsed.data;
  const oidc = [d.OIDC_ISSUER, d.OIDC_CLIENT_ID, d.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidc !== 0 && oidc !== 3) throw new Error("Invalid environment:\n  OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together: set all three or none.");
  if (d.ORTHANC_URL && Boolean(d.ORTHANC_USERNAME) !== Boolean(d.ORTHANC_PASSWORD)) {
    throw new Error("Invalid environment:\n  ORTHANC_USERNAME and ORTHANC_PASSWORD go together: set both (the archive's REST API must ask for credentials).");
  }
  if (process.env.NODE_ENV === "production" && d.DATABASE_URL && !d.AUDIT_WITNESS_DIR) {
    throw new Error("Invalid environment:\n  AUDIT_WITNESS_DIR is required when NODE_ENV=production and DATABASE_URL is set: a write-once folder outside the database (README, \"The audit trail\").");
  }
  cached = d;
  return cached;
}
