import "server-only";
// The archive connector: follows an archive's change feed (any Archive, archive.ts) and records
// each stable study as an exam, attributed to a trust and site by the calling AE title of the
// device that stored it.
//
// Exactly once: a page of the feed is read, the facts of its studies fetched (outside any
// transaction: the archive may be slow), then ONE transaction stores the exams, the study rows and
// the new cursor, after checking under a row lock that the cursor is still the one the page was
// read after. A crash before the commit replays the page; after it, the page is never read again;
// two followers at once (two portal instances) cannot both commit the same page.
//
// Never dropped: a study whose device is unknown, or whose exam does not validate, is kept as
// `unattributed` with the problem, for a consortium administrator.
import { and, eq, inArray, lt, ne, sql } from "drizzle-orm";
import { pacsConnectorState, pacsStudies, sites, trusts } from "@/db/schema";
import { storeExamBatch } from "@/lib/capacity/ingest";
import { examBatch } from "@/lib/capacity/schemas";
import { withSystem, type Tx } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import { ArchiveError, type Archive, type StudyFacts } from "./archive";

/** The device a calling AE title belongs to, as the device registry knows it. */
type DeviceMatch = { trustId: string; siteId: string; departmentId: string | null; modality: string | null };

/** Finds the registered device with an AE title (lib/devices once merged), inside the connector's transaction. */
export type ResolveAeTitle = (tx: Tx, aeTitle: string) => Promise<DeviceMatch | null>;

export type ConnectorOptions = {
  archive: Archive;
  resolveAeTitle: ResolveAeTitle;
  /** Changes read per page (and so per transaction). */
  pageSize?: number;
};

/** What one step of the feed did. */
export type StepOutcome = {
  /** Changes covered by the step (the cursor moved from `from` to `to`). */
  from: number;
  to: number;
  recorded: number;
  unattributed: number;
  deleted: number;
  /** Whether the feed had nothing after this page. */
  done: boolean;
  /** Another follower moved the cursor first: nothing was committed, the step is simply retried. */
  raced: boolean;
};

type Outcome = "recorded" | "unattributed" | "deleted" | "unchanged";

/** The committed cursor of an archive (0 before the first page). */
export async function committedCursor(archive: string): Promise<number> {
  const rows = await withSystem((tx) =>
    tx.select({ seq: pacsConnectorState.lastChangeSeq }).from(pacsConnectorState).where(eq(pacsConnectorState.archive, archive)),
  );
  return rows[0]?.seq ?? 0;
}

/** Facts of the studies a page names; a study gone since its change (404) is null. Later changes of one study win. */
async function factsOf(archive: Archive, ids: string[]): Promise<Map<string, StudyFacts | null>> {
  const out = new Map<string, StudyFacts | null>();
  for (const id of ids) {
    if (out.has(id)) continue;
    try {
      out.set(id, await archive.studyFacts(id));
    } catch (error) {
      if (error instanceof ArchiveError && error.status === 404) out.set(id, null);
      else throw error;
    }
  }
  return out;
}

/** The first problem of a failed exam validation, field named ("exams.0.performedAt: ..."). */
function problemOf(error: unknown): string {
  if (error instanceof AppError) {
    const issues = (error.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
    if (issues?.[0]) return `${issues[0].path}: ${issues[0].message}`;
    return error.message;
  }
  throw error;
}

/** Records one stable study inside the page's transaction (a savepoint, so a refused exam leaves the page whole). */
async function recordStudy(tx: Tx, archive: string, facts: StudyFacts, resolveAeTitle: ResolveAeTitle): Promise<Outcome> {
  const [existing] = await tx
    .select({ status: pacsStudies.status })
    .from(pacsStudies)
    .where(and(eq(pacsStudies.archive, archive), eq(pacsStudies.archiveStudyId, facts.archiveId)));
  const row = {
    archive,
    archiveStudyId: facts.archiveId,
    studyInstanceUid: facts.studyInstanceUid,
    accessionNumber: facts.accessionNumber,
    patientId: facts.patientId,
    nhsNumber: facts.nhsNumber,
    callingAeTitle: facts.callingAeTitles[0] ?? null,
    modality: facts.modalities[0] ?? null,
    performedAt: facts.performedAt,
    instanceCount: facts.instanceCount,
    sizeBytes: facts.sizeBytes,
    updatedAt: sql`now()`,
  };
  if (existing?.status === "recorded") {
    // Stable again after more instances arrived: the study row follows the archive; the exam keeps
    // the figures it was recorded with (exams are facts, never rewritten by the application role).
    await tx
      .update(pacsStudies)
      .set({ instanceCount: row.instanceCount, sizeBytes: row.sizeBytes, updatedAt: row.updatedAt })
      .where(and(eq(pacsStudies.archive, archive), eq(pacsStudies.archiveStudyId, facts.archiveId)));
    return "unchanged";
  }

  const attribution = await attribute(tx, facts, resolveAeTitle);
  const values =
    attribution.ok
      ? { ...row, trustId: attribution.device.trustId, siteId: attribution.device.siteId, departmentId: attribution.device.departmentId, status: "recorded" as const, problem: null, attributedBy: "device" as const, deletedAt: null }
      : { ...row, trustId: null, siteId: null, departmentId: null, status: "unattributed" as const, problem: attribution.problem, attributedBy: null, deletedAt: null };
  await tx
    .insert(pacsStudies)
    .values(values)
    .onConflictDoUpdate({ target: [pacsStudies.archive, pacsStudies.archiveStudyId], set: values });
  return values.status;
}

/** Attributes a study by its calling AE title and stores its exam through the exam ingest's validation. */
async function attribute(
  tx: Tx,
  facts: StudyFacts,
  resolveAeTitle: ResolveAeTitle,
): Promise<{ ok: true; device: DeviceMatch } | { ok: false; problem: string }> {
  const ae = facts.callingAeTitles[0];
  if (!ae) return { ok: false, problem: "The archive does not say which device stored this study (no calling AE title)." };
  const device = await resolveAeTitle(tx, ae);
  if (!device) return { ok: false, problem: `No registered device has the AE title ${ae}.` };
  const [place] = await tx
    .select({ ods: trusts.odsCode, site: sites.code })
    .from(sites)
    .innerJoin(trusts, eq(trusts.id, sites.trustId))
    .where(and(eq(sites.id, device.siteId), eq(sites.trustId, device.trustId)));
  if (!place) return { ok: false, problem: `The device ${ae} names a site that its trust does not have.` };
  // The same validation as POST /api/v1/exams: the exam schema, then the ingest's resolution and insert.
  const parsed = examBatch.safeParse({
    exams: [
      {
        studyInstanceUid: facts.studyInstanceUid,
        accessionNumber: facts.accessionNumber ?? undefined,
        trust: place.ods,
        site: place.site,
        modality: facts.modalities[0] ?? device.modality ?? undefined,
        performedAt: facts.performedAt?.toISOString(),
        imageCount: facts.instanceCount,
        sizeBytes: facts.sizeBytes,
      },
    ],
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `The exam does not validate: ${issue?.path.join(".")}: ${issue?.message}` };
  }
  try {
    await tx.transaction((sp) => storeExamBatch(sp, { all: true }, parsed.data.exams));
  } catch (error) {
    return { ok: false, problem: `The exam was refused: ${problemOf(error)}` };
  }
  return { ok: true, device };
}

/** Marks studies deleted (they left the archive); answers how many were not already. */
async function markDeleted(tx: Tx, archive: string, ids: string[], before?: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await tx
    .update(pacsStudies)
    .set({ status: "deleted", deletedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(pacsStudies.archive, archive),
        inArray(pacsStudies.archiveStudyId, ids),
        ne(pacsStudies.status, "deleted"),
        // The sweep's guard: a row recorded again after the archive was listed is left alone.
        before ? lt(pacsStudies.updatedAt, before) : undefined,
      ),
    )
    .returning({ id: pacsStudies.archiveStudyId });
  return rows.length;
}

/** One page of the feed after the committed cursor, committed with its exams and studies (see the top). */
export async function followStep(options: ConnectorOptions): Promise<StepOutcome> {
  const { archive, resolveAeTitle } = options;
  const from = await committedCursor(archive.name);
  const page = await archive.changesAfter(from, options.pageSize ?? 100);
  const facts = await factsOf(
    archive,
    page.changes.filter((c) => c.kind === "study-stable").map((c) => c.studyId),
  );
  const outcome: StepOutcome = { from, to: page.last, recorded: 0, unattributed: 0, deleted: 0, done: page.done, raced: false };
  return withSystem(async (tx) => {
    await tx.insert(pacsConnectorState).values({ archive: archive.name, lastChangeSeq: 0 }).onConflictDoNothing();
    const [state] = await tx
      .select({ seq: pacsConnectorState.lastChangeSeq })
      .from(pacsConnectorState)
      .where(eq(pacsConnectorState.archive, archive.name))
      .for("update");
    if (state?.seq !== from) return { ...outcome, to: from, raced: true };
    // In feed order: a study stored, deleted and stored again ends as the last change left it.
    const done = new Set<string>();
    for (const change of [...page.changes].reverse()) {
      if (done.has(change.studyId)) continue;
      done.add(change.studyId);
      const f = change.kind === "study-stable" ? facts.get(change.studyId) : null;
      if (!f) {
        outcome.deleted += await markDeleted(tx, archive.name, [change.studyId]);
        continue;
      }
      const result = await recordStudy(tx, archive.name, f, resolveAeTitle);
      if (result === "recorded") outcome.recorded++;
      if (result === "unattributed") outcome.unattributed++;
    }
    if (page.last > from) {
      await tx
        .update(pacsConnectorState)
        .set({ lastChangeSeq: page.last, updatedAt: sql`now()` })
        .where(eq(pacsConnectorState.archive, archive.name));
    }
    return outcome;
  });
}

/**
 * Studies that left the archive without the feed saying so (Orthanc drops a deleted study's
 * changes): when Mosaic holds more live studies than the archive (or `force`), the archive's ids
 * are listed and the missing ones marked deleted. Rows are read before the listing, so a study
 * recorded meanwhile is never taken for deleted. A deletion hidden by an equal number of studies
 * not yet stable is found on a later sweep, once they are recorded.
 */
async function sweepDeletions(options: ConnectorOptions & { force?: boolean }): Promise<number> {
  const { archive } = options;
  const live = (tx: Tx) =>
    tx
      .select({ id: pacsStudies.archiveStudyId })
      .from(pacsStudies)
      .where(and(eq(pacsStudies.archive, archive.name), ne(pacsStudies.status, "deleted")));
  const [{ n } = { n: 0 }] = await withSystem((tx) =>
    tx
      .select({ n: sql<number>`count(*)::int` })
      .from(pacsStudies)
      .where(and(eq(pacsStudies.archive, archive.name), ne(pacsStudies.status, "deleted"))),
  );
  if (!options.force && n <= (await archive.studyCount())) return 0;
  const known = await withSystem(live);
  const listedAt = new Date();
  const present = new Set<string>();
  for await (const page of archive.studyIds()) for (const id of page) present.add(id);
  const gone = known.map((k) => k.id).filter((id) => !present.has(id));
  let marked = 0;
  for (let i = 0; i < gone.length; i += 1000) {
    const chunk = gone.slice(i, i + 1000);
    marked += await withSystem((tx) => markDeleted(tx, archive.name, chunk, listedAt));
  }
  return marked;
}

/** Follows the feed until it has nothing more (page after page), then sweeps for deletions. */
export async function followUntilCaughtUp(options: ConnectorOptions): Promise<{ recorded: number; unattributed: number; deleted: number }> {
  const total = { recorded: 0, unattributed: 0, deleted: 0 };
  for (;;) {
    const step = await followStep(options);
    total.recorded += step.recorded;
    total.unattributed += step.unattributed;
    total.deleted += step.deleted;
    if (step.done && !step.raced) break;
  }
  total.deleted += await sweepDeletions(options);
  return total;
}

/**
 * Follows for `durationMs`, catching up every `pollMs` (the background job runs this, once a
 * minute, as a singleton across instances: a study shows in Mosaic within seconds of becoming stable).
 */
export async function followFor(options: ConnectorOptions, durationMs: number, pollMs = 2000): Promise<{ recorded: number; unattributed: number; deleted: number }> {
  const until = Date.now() + durationMs;
  const total = { recorded: 0, unattributed: 0, deleted: 0 };
  for (;;) {
    const round = await followUntilCaughtUp(options);
    total.recorded += round.recorded;
    total.unattributed += round.unattributed;
    total.deleted += round.deleted;
    if (Date.now() + pollMs >= until) return total;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
