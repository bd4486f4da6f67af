// The address a caller used, for links Mosaic hands back (a FHIR Bundle's self and next). Next.js
// builds request.url from its own idea of the server's host ("localhost" when it listens on all
// interfaces), so a client that called 127.0.0.1 or a DNS name would be sent somewhere else. Pure.

// A host as the Host header carries it: a DNS name or IPv4 address, or a bracketed IPv6 address,
// with an optional port. Anything else (a path, a user-info "@", spaces) is ignored.
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The request's URL with the host (and, behind a proxy, the scheme) the caller addressed. */
export function callerUrlOf(request: Request): URL {
  const url = new URL(request.url);
  const header = request.headers.get("host")?.trim();
  const host = header && hostPattern.test(header) ? header : url.host;
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const protocol = proto === "http" || proto === "https" ? `${proto}:` : url.protocol;
  // Built afresh (setting url.host without a port would keep the server's port), path and query
  // set as parts: a path beginning "//" must not be read as another host.
  const caller = new URL(`${protocol}//${host}`);
  caller.pathname = url.pathname;
  caller.search = url.search;
  return caller;
}
