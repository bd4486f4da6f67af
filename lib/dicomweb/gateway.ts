import "server-only";
// The DICOMweb gateway: Mosaic's sharing policies enforced in front of the archive. Each request is
// read (paths.ts), its person identified (a portal session or a viewer token), the studies it touches
// decided by the sharing engine (access.ts), and its audit events made durable (group commit) before
// a byte of the archive's answer leaves: a search shows only studies the person may see, and a
// retrieval of any other is refused with the policy's reasons.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { rowsOf } from "@/db/client";
import { GroupCommit } from "@/lib/audit/group-commit";
import { AppError } from "@/lib/errors";
import type { AlertRow } from "@/lib/audit/raise-alerts";
import type { ChainedRow } from "@/lib/audit/append";
import type { Ctx } from "@/lib/auth/context";
import { withSystem } from "@/lib/db/scope";
import { clientInfoFrom } from "@/lib/identity/client-info";
import { loadSession } from "@/lib/identity/sign-in";
import { policySetCache, type PolicySnapshot } from "@/lib/sharing/cache";
import { alertsOf, decideStudy, gatewayEvent, studyRecords, viewerOf, type StudyDecision, type Viewer } from "./access";
import { parseDicomWebPath, type DicomWebOperation } from "./paths";
import { askUpstream, relay, upstreamConfig, type Upstream } from "./upstream";
import { verifyViewerToken } from "./viewer-token";

const dicomJson = "application/dicom+json";

function problem(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { status, message, ...extra } }, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/** A viewer token's claims, checked without the database; null: no token; false: a token that is not ours. */
async function tokenOf(request: Request): Promise<{ userId: string; sessionId: string } | null | false> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!bearer) return null;
  return (await verifyViewerToken(bearer)) ?? false;
}

/** The person of a genuine token: only as good as the session it was issued for (signed out, suspended, expired: none). */
async function personOfToken(claims: { userId: string; sessionId: string }, request: Request): Promise<Ctx | null> {
  const session = await loadSession(claims.sessionId);
  if (!session || session.userId !== claims.userId || session.needsMfaEnrolment) return null;
  const { needsMfaEnrolment: _owed, ...caller } = session;
  return { ...caller, client: clientInfoFrom(request.headers) };
}

/** One request to the archive, started at most once, and abandoned if its answer is not to be used. */
class ArchiveCall {
  private answer: Promise<Response> | null = null;
  private readonly abort = new AbortController();
  constructor(private readonly start: (signal: AbortSignal) => Promise<Response>) {}
  begin(): this {
    this.answer ??= this.start(this.abort.signal);
    this.answer.catch(() => {}); // awaited later, or abandoned
    return this;
  }
  get(): Promise<Response> {
    return this.begin().answer!;
  }
  abandon(): void {
    if (this.answer) this.abort.abort();
  }
}

/**
 * Serves one request under /dicom-web. `segments`: its path below /dicom-web; `sessionCaller`: the
 * person of the portal session that came with it, if any; `upstream`: the archive (the configured one).
 */
export async function serveDicomWeb(
  request: Request,
  segments: readonly string[],
  options: { sessionCaller: () => Promise<Ctx | null>; upstream?: Upstream | null },
): Promise<Response> {
  const operation = parseDicomWebPath(request.method, segments);
  if ("status" in operation) return problem(operation.status, operation.message);
  const unauthenticated = () => problem(401, "Sign in to Mosaic, or send a viewer token as 'Authorization: Bearer <token>'.", {}, { "WWW-Authenticate": 'Bearer realm="mosaic-dicomweb"' });
  const token = await tokenOf(request);
  if (token === false) return unauthenticated();
  const upstream = options.upstream === undefined ? upstreamConfig() : options.upstream;
  const url = new URL(request.url);
  const path = segments.join("/");
  const call =
    upstream && operation.kind !== "stow"
      ? new ArchiveCall((signal) =>
          askUpstream(upstream, path, url.searchParams, { method: request.method === "HEAD" ? "HEAD" : "GET", headers: operation.kind === "qido" ? withAccept(request.headers) : request.headers, signal }),
        )
      : null;
  // With a genuine token, the archive is asked while the token's session is checked: its answer is
  // held until the decision and its audit record are committed, and dropped if the request is refused.
  if (token) call?.begin();
  const ctx = token ? await personOfToken(token, request) : await options.sessionCaller();
  if (!ctx) {
    call?.abandon();
    return unauthenticated();
  }
  if (!upstream) return problem(503, "No image archive is connected to this Mosaic (ORTHANC_URL, or DICOMWEB_UPSTREAM_URL for another archive).");
  const snapshot = await policySetCache.get();
  const viewer = viewerOf(ctx, request.headers, snapshot);
  if ("status" in viewer) {
    call?.abandon();
    return problem(viewer.status, viewer.message, { field: viewer.field });
  }
  switch (operation.kind) {
    case "qido":
      return search(viewer, operation, snapshot, call!);
    case "wado":
      return retrieve(viewer, operation, snapshot, { from: upstream.base, to: gatewayBase(request) }, call!);
    case "stow":
      return store(viewer, operation, request, snapshot, () => askUpstream(upstream, path, url.searchParams, { method: "POST", headers: request.headers, body: request.body }));
  }
}

function withAccept(headers: Headers): Headers {
  const h = new Headers(headers);
  // Searches are filtered as JSON: the XML form (application/dicom+xml) is not offered.
  h.set("accept", dicomJson);
  return h;
}

/** The gateway's DICOMweb root as the caller addressed it (for the archive's bulk-data links). */
function gatewayBase(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  return `${url.protocol}//${host}/dicom-web`;
}

// Every look through the gateway in this process, written by group commit.
const gatewayCommit = new GroupCommit({
  what: "DICOMweb",
  unavailable: (cause) => Object.assign(new AppError("UNAVAILABLE", "The audit trail is not available, so nothing was answered. Try again shortly.", { retryAfterSeconds: 1 }), { cause }),
});

/** Writes the events (and their alerts) and waits for their commit; only then may the answer leave. */
async function durably(rows: ChainedRow[], snapshot: PolicySnapshot, extraAlerts: AlertRow[] = []): Promise<Response | null> {
  try {
    await gatewayCommit.append(rows, { alerts: [...alertsOf(rows, snapshot), ...extraAlerts] });
    return null;
  } catch {
    return problem(503, "The audit trail is not available, so nothing was answered. Try again shortly.", {}, { "Retry-After": "1" });
  }
}

// A search answer: a list of DICOM JSON datasets. Anything else from the archive is not passed on.
const qidoAnswer = z.array(z.record(z.string(), z.unknown()));
const studyUidOf = (item: Record<string, unknown>): string | null => {
  const attribute = item["0020000D"] as { Value?: unknown[] } | undefined;
  const value = attribute?.Value?.[0];
  return typeof value === "string" ? value : null;
};

async function search(viewer: Viewer, op: Extract<DicomWebOperation, { kind: "qido" }>, snapshot: PolicySnapshot, call: ArchiveCall): Promise<Response> {
  const now = new Date();
  const query = { via: "dicomweb" as const, operation: `qido ${op.level}`, requestId: viewer.requestId };
  // Within one study: the study is decided first, and one the person may not see is answered exactly
  // as one that does not exist (an empty list), without asking the archive.
  if (op.studyUid) {
    const decided = decideStudy(viewer, (await studyRecords([op.studyUid])).get(op.studyUid) ?? [], snapshot, now);
    if (decided?.decision.decision !== "permit") {
      call.abandon();
      const failed = await durably([gatewayEvent(viewer, "study.query", decided ? "denied" : "failure", decided, { ...query, askedStudyUid: op.studyUid }, now)], snapshot);
      return failed ?? Response.json([], { headers: { "Content-Type": dicomJson, "Cache-Control": "private, no-store" } });
    }
  }
  const answer = await call.get();
  if (answer.status === 204) return relay(answer, null);
  if (!answer.ok) {
    await answer.body?.cancel();
    return problem(answer.status >= 500 ? 502 : answer.status, answer.status >= 500 ? "The image archive failed to answer the search." : "The image archive refused the search; check its parameters.");
  }
  const parsed = qidoAnswer.safeParse(await answer.json().catch(() => null));
  if (!parsed.success) return problem(502, "The image archive's search answer was not DICOM JSON.");
  const uids = [...new Set(parsed.data.map(studyUidOf).filter((u): u is string => u !== null))];
  const records = await studyRecords(uids);
  const permitted = new Map<string, StudyDecision>();
  for (const uid of uids) {
    const decided = decideStudy(viewer, records.get(uid) ?? [], snapshot, now);
    if (decided?.decision.decision === "permit") permitted.set(uid, decided);
  }
  const shown = parsed.data.filter((item) => {
    const uid = studyUidOf(item);
    return uid !== null && permitted.has(uid);
  });
  // One event per study shown (the patient's access history names it), or one for a search that showed nothing.
  const rows = permitted.size
    ? [...permitted.values()].map((d) => gatewayEvent(viewer, "study.query", "success", d, query, now))
    : [gatewayEvent(viewer, "study.query", "success", null, query, now)];
  const failed = await durably(rows, snapshot);
  return failed ?? Response.json(shown, { headers: { "Content-Type": dicomJson, "Cache-Control": "private, no-store" } });
}

async function retrieve(
  viewer: Viewer,
  op: Extract<DicomWebOperation, { kind: "wado" }>,
  snapshot: PolicySnapshot,
  links: { from: string; to: string },
  call: ArchiveCall,
): Promise<Response> {
  const now = new Date();
  const details = { via: "dicomweb" as const, operation: `wado ${op.resource}`, requestId: viewer.requestId, seriesUid: op.seriesUid, instanceUid: op.instanceUid };
  const decided = decideStudy(viewer, (await studyRecords([op.studyUid])).get(op.studyUid) ?? [], snapshot, now);
  if (!decided) {
    call.abandon();
    const failed = await durably([gatewayEvent(viewer, "study.retrieve", "failure", null, { ...details, askedStudyUid: op.studyUid }, now)], snapshot);
    return failed ?? problem(404, "No study with this Study Instance UID is recorded in Mosaic.");
  }
  const { decision } = decided;
  if (decision.decision !== "permit") {
    call.abandon();
    const failed = await durably([gatewayEvent(viewer, "study.retrieve", "denied", decided, details, now)], snapshot);
    return (
      failed ??
      problem(403, decision.decision === "break_glass_required" ? "Not permitted without break-glass: send X-Break-Glass-Justification to go ahead (the access is flagged for review)." : "Not permitted by the sharing policies.", {
        decision: decision.decision,
        policy: decision.policy,
        reasons: decision.reasons,
      })
    );
  }
  // A permitted retrieval is asked of the archive while its audit record commits; not a byte of the
  // answer is read before the commit.
  call.begin();
  const failed = await durably([gatewayEvent(viewer, "study.retrieve", "success", decided, details, now)], snapshot);
  if (failed) {
    call.abandon();
    return failed;
  }
  const answer = await call.get();
  if (op.resource === "metadata" && answer.ok) {
    // The archive's bulk-data links point at the archive: they are rewritten to the gateway, which
    // checks them as it checks any retrieval.
    const text = (await answer.text()).replaceAll(links.from, links.to);
    return relay(answer, text);
  }
  return relay(answer);
}

/** Online storage used and allowed for a trust: the latest usage the archive reported, and the quota. */
async function onlineStorage(trustId: string): Promise<{ usedBytes: number; quotaBytes: number | null }> {
  const [row] = await withSystem(async (tx) =>
    rowsOf<{ used: string | number | null; quota: string | number | null }>(
      await tx.execute(sql`
        select (select coalesce(sum(u.bytes), 0) from storage_usage u
                 where u.trust_id = ${trustId} and u.tier = 'online'
                   and u.usage_date = (select max(usage_date) from storage_usage where trust_id = ${trustId} and tier = 'online')) as used,
               (select quota_bytes from storage_quotas where trust_id = ${trustId} and tier = 'online') as quota`),
    ),
  );
  return { usedBytes: Number(row?.used ?? 0), quotaBytes: row?.quota === null || row?.quota === undefined ? null : Number(row.quota) };
}

async function store(viewer: Viewer, op: Extract<DicomWebOperation, { kind: "stow" }>, request: Request, snapshot: PolicySnapshot, ask: () => Promise<Response>): Promise<Response> {
  const now = new Date();
  const details = { via: "dicomweb" as const, operation: "stow", requestId: viewer.requestId, ...(op.studyUid ? { askedStudyUid: op.studyUid } : {}) };
  const incoming = Number(request.headers.get("content-length") ?? 0) || 0;
  const { usedBytes, quotaBytes } = await onlineStorage(viewer.actingTrust.id);
  if (quotaBytes !== null && usedBytes + incoming > quotaBytes) {
    const event = gatewayEvent(viewer, "study.store", "denied", null, { ...details, usedBytes, quotaBytes, incomingBytes: incoming }, now);
    event.sourceTrustId = viewer.actingTrust.id;
    const alert: AlertRow = {
      trust_id: viewer.actingTrust.id,
      rule: "storage_quota",
      severity: "high",
      summary: `A store into ${viewer.actingTrust.odsCode}'s online storage was refused: ${usedBytes.toLocaleString("en-GB")} of ${quotaBytes.toLocaleString("en-GB")} bytes used.`,
      event_id: event.id,
      event_occurred_at: now.toISOString(),
      actor_email: event.actorEmail,
      actor_trust_id: viewer.actingTrust.id,
      patient_nhs_number: null,
    };
    const failed = await durably([event], snapshot, [alert]);
    await request.body?.cancel();
    return failed ?? problem(507, `${viewer.actingTrust.odsCode}'s online storage is full (its quota is reached), so nothing was stored. Ask the PACS manager to raise the quota.`);
  }
  const answer = await ask();
  const event = gatewayEvent(viewer, "study.store", answer.ok ? "success" : "failure", null, { ...details, status: answer.status }, now);
  event.sourceTrustId = viewer.actingTrust.id;
  const failed = await durably([event], snapshot);
  if (failed) {
    await answer.body?.cancel();
    return failed;
  }
  return relay(answer);
}
