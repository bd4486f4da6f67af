import type { ClientInfo } from "./sign-in";

/** The caller's address and browser, from the request headers (first X-Forwarded-For hop). */
export function clientInfoFrom(headers: Headers): ClientInfo {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || headers.get("x-real-ip") || null;
  const userAgent = headers.get("user-agent");
  return { ip: ip ? ip.slice(0, 64) : null, userAgent: userAgent ? userAgent.slice(0, 300) : null };
}
