// What a DICOMweb request under /dicom-web asks for (DICOM PS3.18: QIDO-RS, WADO-RS, STOW-RS), read
// from its method and path before anything is forwarded. A path the gateway does not know is not
// forwarded at all: the upstream archive's other resources (its REST API, its own tools) stay behind it.

/** A DICOM UID: digits separated by dots, at most 64 characters, no leading zero in a component. */
const uidPattern = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
export function isDicomUid(value: string): boolean {
  return value.length > 0 && value.length <= 64 && uidPattern.test(value);
}

type QidoLevel = "studies" | "series" | "instances";
type WadoResource = "bulk" | "metadata" | "rendered" | "thumbnail" | "frames" | "bulkdata";

export type DicomWebOperation =
  /** A search; studyUid/seriesUid when the search is within one study or series. */
  | { kind: "qido"; level: QidoLevel; studyUid: string | null; seriesUid: string | null }
  /** A retrieval of (part of) one study. `resource` "bulk" is the DICOM instances themselves. */
  | { kind: "wado"; studyUid: string; seriesUid: string | null; instanceUid: string | null; resource: WadoResource }
  /** A store, into one study or any. */
  | { kind: "stow"; studyUid: string | null };

export type PathProblem = { status: 400 | 404 | 405; message: string };

const resources = new Set(["metadata", "rendered", "thumbnail"]);
// Frame numbers: a comma-separated list of positive integers (PS3.18 8.3.5.1).
const frameList = /^[1-9][0-9]{0,5}(,[1-9][0-9]{0,5}){0,999}$/;

/**
 * The operation of `method` on `segments` (the path below /dicom-web, already split on "/"), or the
 * reason it is refused. Every UID is checked, so nothing but a well-formed UID reaches the archive.
 */
export function parseDicomWebPath(method: string, segments: readonly string[]): DicomWebOperation | PathProblem {
  const s = [...segments];
  const notFound: PathProblem = { status: 404, message: "No such DICOMweb resource." };
  if (s.length === 0) return notFound;
  for (const [i, part] of s.entries()) {
    const isUidPlace = (i % 2 === 1 && ["studies", "series", "instances"].includes(s[i - 1]!)) || false;
    if (isUidPlace && !isDicomUid(part)) return { status: 400, message: `${s[i - 1]} must be followed by a DICOM UID (digits and dots, at most 64 characters).` };
  }
  if (method === "POST") {
    if (s[0] === "studies" && s.length === 1) return { kind: "stow", studyUid: null };
    if (s[0] === "studies" && s.length === 2) return { kind: "stow", studyUid: s[1]! };
    return notFound;
  }
  if (method !== "GET" && method !== "HEAD") return { status: 405, message: "The DICOMweb gateway answers GET (search and retrieve) and POST (store)." };

  // Searches across the archive.
  if (s.length === 1 && (s[0] === "studies" || s[0] === "series" || s[0] === "instances")) {
    return { kind: "qido", level: s[0], studyUid: null, seriesUid: null };
  }
  if (s[0] !== "studies") return notFound;
  const studyUid = s[1]!;
  const rest = s.slice(2);
  const wado = (seriesUid: string | null, instanceUid: string | null, resource: WadoResource): DicomWebOperation => ({ kind: "wado", studyUid, seriesUid, instanceUid, resource });

  // /studies/{study}[/metadata|rendered|thumbnail]
  if (rest.length === 0) return wado(null, null, "bulk");
  if (rest.length === 1 && resources.has(rest[0]!)) return wado(null, null, rest[0] as WadoResource);
  // /studies/{study}/series | /studies/{study}/instances: searches within the study
  if (rest.length === 1 && rest[0] === "series") return { kind: "qido", level: "series", studyUid, seriesUid: null };
  if (rest.length === 1 && rest[0] === "instances") return { kind: "qido", level: "instances", studyUid, seriesUid: null };
  if (rest[0] !== "series") return notFound;
  const seriesUid = rest[1]!;
  const inSeries = rest.slice(2);
  if (inSeries.length === 0) return wado(seriesUid, null, "bulk");
  if (inSeries.length === 1 && resources.has(inSeries[0]!)) return wado(seriesUid, null, inSeries[0] as WadoResource);
  if (inSeries.length === 1 && inSeries[0] === "instances") return { kind: "qido", level: "instances", studyUid, seriesUid };
  if (inSeries[0] !== "instances") return notFound;
  const instanceUid = inSeries[1]!;
  const inInstance = inSeries.slice(2);
  if (inInstance.length === 0) return wado(seriesUid, instanceUid, "bulk");
  if (inInstance.length === 1 && resources.has(inInstance[0]!)) return wado(seriesUid, instanceUid, inInstance[0] as WadoResource);
  if (inInstance[0] === "frames" && inInstance.length >= 2 && inInstance.length <= 3) {
    if (!frameList.test(inInstance[1]!)) return { status: 400, message: "frames must be followed by frame numbers, for example 1 or 1,2,3." };
    if (inInstance.length === 2) return wado(seriesUid, instanceUid, "frames");
    if (inInstance[2] === "rendered") return wado(seriesUid, instanceUid, "rendered");
    return notFound;
  }
  // Bulk data the archive's metadata points at (its BulkDataURIs, rewritten to the gateway).
  if (inInstance[0] === "bulk" && inInstance.length >= 2 && inInstance.length <= 8 && inInstance.slice(1).every((t) => /^[0-9A-Fa-f]{8}$|^[0-9]{1,4}$/.test(t))) {
    return wado(seriesUid, instanceUid, "bulkdata");
  }
  return notFound;
}
