import "server-only";
// The archive's DICOMweb service behind the gateway: any PACS that speaks DICOMweb (Orthanc's
// DicomWeb plugin, dcm4chee-arc, a commercial archive). Requests reach it only through here, with
// the gateway's own credentials; the person's never do.
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

export type Upstream = { base: string; authorization: string | null };

/** Credentials for an archive's DICOMweb root. */
export function upstreamAt(base: string, username?: string, password = ""): Upstream {
  return { base: base.replace(/\/+$/, ""), authorization: username ? `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` : null };
}

/** Where the archive's DICOMweb root is, or null when no archive is configured. */
export function upstreamConfig(): Upstream | null {
  const e = env();
  if (e.DICOMWEB_UPSTREAM_URL) return upstreamAt(e.DICOMWEB_UPSTREAM_URL, e.DICOMWEB_UPSTREAM_USERNAME, e.DICOMWEB_UPSTREAM_PASSWORD);
  // The connected Orthanc's DicomWeb plugin, at its default root.
  if (e.ORTHANC_URL) return upstreamAt(`${e.ORTHANC_URL.replace(/\/+$/, "")}/dicom-web`, e.ORTHANC_USERNAME, e.ORTHANC_PASSWORD);
  return null;
}

// What a client may say to the archive (content negotiation, partial content, a store's body type),
// and what of the archive's answer reaches the client. Nothing else crosses, cookies least of all.
const forwardedRequestHeaders = ["accept", "accept-charset", "range", "if-none-match", "if-modified-since", "content-type"];
const forwardedResponseHeaders = ["content-type", "content-length", "content-range", "accept-ranges", "etag", "last-modified", "warning"];

/** Asks the archive `path` (below its DICOMweb root, already checked) with the query given. */
export async function askUpstream(
  upstream: Upstream,
  path: string,
  search: URLSearchParams,
  init: { method: "GET" | "HEAD" | "POST"; headers: Headers; body?: ReadableStream<Uint8Array> | null; signal?: AbortSignal },
): Promise<Response> {
  const url = `${upstream.base}/${path}${search.size ? `?${search}` : ""}`;
  const headers = new Headers();
  for (const name of forwardedRequestHeaders) {
    const value = init.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  if (upstream.authorization) headers.set("authorization", upstream.authorization);
  try {
    return await fetch(url, {
      method: init.method,
      headers,
      body: init.body ?? undefined,
      signal: init.signal,
      redirect: "manual",
      // A streamed request body (STOW-RS) needs half-duplex in Node's fetch.
      ...(init.body ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (error) {
    const unavailable = new AppError("UNAVAILABLE", "The image archive did not answer. Try again shortly.", { retryAfterSeconds: 5 });
    unavailable.cause = error;
    throw unavailable;
  }
}

/** The archive's answer as the client's: its status, the headers above, its body streamed as it comes. */
export function relay(answer: Response, body: BodyInit | null = answer.body): Response {
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  for (const name of forwardedResponseHeaders) {
    const value = answer.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  if (body !== answer.body) headers.delete("content-length");
  return new Response(body, { status: answer.status, headers });
}
