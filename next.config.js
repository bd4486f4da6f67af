// @ts-check
import { createRequire } from "node:module";

// The user import's limits (lib/users/import.ts reads the same file).
const importLimits = createRequire(import.meta.url)("./lib/users/import-limits.json");
/** Security headers for every response; the CSP with its per-request nonce is set in proxy.ts. */
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Native packages (and postgres.js) load files relative to themselves: keep them out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "postgres"],
  experimental: {
    // proxy.ts makes Next buffer each request body up to this size and silently cut off the rest,
    // which a machine client would see as "not valid JSON". Kept above the machine API's own limit
    // (maxBodyBytes in lib/limits.ts, 64 MiB; a unit test holds them in step), so that the API
    // sees every body it could take, and a longer one is answered 413 by lib/api/handler.ts.
    proxyClientMaxBodySize: 65 * 1024 * 1024,
    serverActions: {
      // The largest form is the user import: its file (or, when committing, its text) plus the
      // multipart boundaries and headers and React's action fields, a few KB; 512 KiB of margin
      // keeps a file at the limit inside Next's body limit, so lib/ can answer it with a message.
      bodySizeLimit: importLimits.maxBytes + 512 * 1024,
    },
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
