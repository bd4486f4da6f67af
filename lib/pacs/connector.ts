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
import { examBatch, type ExamInput } from "@/lib/capacity/schemas";
import { findDeviceByAeTitle } from "@/lib/devices/queries";
import { withSystem, type Tx } from "@/lib/db/scope";
import { AppError } from "@/lib/errors";
import { ArchiveError, type Archive, type StudyFacts } from "./archive";

/** The device a calling AE title belongs to, as the device registry knows it. */
type DeviceMatch = { trustId: string; siteId: string; departmentId: string | null; modality: string | null };

export type ConnectorOptions = {
  archive: Archive;
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
  const unique = [...new Set(ids)];
  // A few studies at a time: the archive answers devices and viewers too.
  for (let i = 0; i < unique.length; i += 4) {
    await Promise.all(
      unique.slice(i, i + 4).map(async (id) => {
        try {
          out.set(id, await archive.studyFacts(id));
        } catch (error) {
          if (error instanceof ArchiveError && error.status === 404) out.set(id, null);
          else throw error;
        }
      }),
    );
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

type Attribution = { ok: true; device: DeviceMatch; exam: ExamInput } | { ok: false; problem: string };

/**
 * Attributes a study by its calling AE title and validates its exam with the exam ingest's schema
 * (the same as POST /api/v1/exams); the exam is stored afterwards, with the page's others.
 */
async function attribute(
  facts: StudyFacts,
  device: (ae: string) => Promise<DeviceMatch | null>,
  placeOf: (device: DeviceMatch) => { ods: string; site: string } | undefined,
): Promise<Attribution> {
  const ae = facts.callingAeTitles[0];
  if (!ae) return { ok: false, problem: "The archive does not say which device stored this study (no calling AE title)." };
  const match = await device(ae);
  if (!match) return { ok: false, problem: `No registered device has the AE title ${ae}.` };
  const place = placeOf(match);
  if (!place) return { ok: false, problem: `The device ${ae} names a site that its trust does not have.` };
  const parsed = examBatch.safeParse({
    exams: [
      {
        studyInstanceUid: facts.studyInstanceUid,
        accessionNumber: facts.accessionNumber ?? undefined,
        trust: place.ods,
        site: place.site,
        modality: facts.modalities[0] ?? match.modality ?? undefined,
        performedAt: facts.performedAt?.toISOString(),
        imageCount: facts.instanceCount,
        sizeBytes: facts.sizeBytes,
        aeTitle: ae,
        patientNhsNumber: facts.nhsNumber ?? undefined,
      },
    ],
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `The exam does not validate: ${issue?.path.join(".")}: ${issue?.message}` };
  }
  return { ok: true, device: match, exam: parsed.data.exams[0]! };
}

/**
 * Records a page's stable studies inside its transaction: their exams through the exam ingest
 * (one batch; if the batch is refused, study by study in savepoints, so that one refused exam,
 * say a UID the trust stored before with other content, leaves the others recorded), then their
 * study rows in one statement.
 */
async function recordStudies(tx: Tx, archive: string, studies: StudyFacts[]): Promise<{ recorded: number; unattributed: number }> {
  if (studies.length === 0) return { recorded: 0, unattributed: 0 };
  const ids = studies.map((f) => f.archiveId);
  const existing = new Map(
    (
      await tx
        .select({ id: pacsStudies.archiveStudyId, status: pacsStudies.status })
        .from(pacsStudies)
        .where(and(eq(pacsStudies.archive, archive), inArray(pacsStudies.archiveStudyId, ids)))
        // Locked: an administrator attributing one of these by hand (lib/pacs/commands.ts) either
        // commits first, and the study reads as recorded here, or waits for this page and finds it
        // recorded or still waiting. Never an exam for two trusts.
        .for("update")
    ).map((r) => [r.id, r.status]),
  );
  // Stable again after more instances arrived: the study row follows the archive; the exam keeps
  // the figures it was recorded with (exams are facts, never rewritten by the application role).
  for (const f of studies.filter((f) => existing.get(f.archiveId) === "recorded")) {
    await tx
      .update(pacsStudies)
      .set({ instanceCount: f.instanceCount, sizeBytes: f.sizeBytes, updatedAt: sql`now()` })
      .where(and(eq(pacsStudies.archive, archive), eq(pacsStudies.archiveStudyId, f.archiveId)));
  }
  const fresh = studies.filter((f) => existing.get(f.archiveId) !== "recorded");
  if (fresh.length === 0) return { recorded: 0, unattributed: 0 };

  const devices = new Map<string, Promise<DeviceMatch | null>>();
  const device = (ae: string) => {
    let found = devices.get(ae);
    if (!found) devices.set(ae, (found = findDeviceByAeTitle(tx, ae)));
    return found;
  };
  const matched: DeviceMatch[] = [];
  for (const f of fresh) {
    const ae = f.callingAeTitles[0];
    const m = ae ? await device(ae) : null;
    if (m) matched.push(m);
  }
  const places = matched.length
    ? await tx
        .select({ id: sites.id, trustId: sites.trustId, ods: trusts.odsCode, site: sites.code })
        .from(sites)
        .innerJoin(trusts, eq(trusts.id, sites.trustId))
        .where(inArray(sites.id, [...new Set(matched.map((m) => m.siteId))]))
    : [];
  const placeOf = (m: DeviceMatch) => places.find((p) => p.id === m.siteId && p.trustId === m.trustId);
  const attributions: Attribution[] = [];
  for (const f of fresh) attributions.push(await attribute(f, device, placeOf));

  const exams = attributions.flatMap((a) => (a.ok ? [a.exam] : []));
  const stored =
    exams.length === 0 ||
    (await tx
      .transaction((sp) => storeExamBatch(sp, { all: true }, exams))
      .then(() => true)
      .catch(() => false));
  if (!stored) {
    for (const [i, a] of attributions.entries()) {
      if (!a.ok) continue;
      try {
        await tx.transaction((sp) => storeExamBatch(sp, { all: true }, [a.exam]));
      } catch (error) {
        attributions[i] = { ok: false, problem: `The exam was refused: ${problemOf(error)}` };
      }
    }
  }

  const rows = fresh.map((f, i) => {
    const a = attributions[i]!;
    return {
      archive,
      archiveStudyId: f.archiveId,
      studyInstanceUid: f.studyInstanceUid,
      accessionNumber: f.accessionNumber,
      patientId: f.patientId,
      nhsNumber: f.nhsNumber,
      callingAeTitle: f.callingAeTitles[0] ?? null,
      // A recorded study keeps its exam's modality (the device's when the archive has none), so the
      // storage snapshot (storage.ts) counts it under the modality its exam counts under.
      modality: a.ok ? a.exam.modality : (f.modalities[0] ?? null),
      performedAt: f.performedAt,
      instanceCount: f.instanceCount,
      sizeBytes: f.sizeBytes,
      trustId: a.ok ? a.device.trustId : null,
      siteId: a.ok ? a.device.siteId : null,
      departmentId: a.ok ? a.device.departmentId : null,
      status: a.ok ? ("recorded" as const) : ("unattributed" as const),
      problem: a.ok ? null : a.problem,
      attributedBy: a.ok ? ("device" as const) : null,
      deletedAt: null,
    };
  });
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  await tx
    .insert(pacsStudies)
    .values(rows)
    .onConflictDoUpdate({
      target: [pacsStudies.archive, pacsStudies.archiveStudyId],
      set: {
        studyInstanceUid: excluded("study_instance_uid"),
        accessionNumber: excluded("accession_number"),
        patientId: excluded("patient_id"),
        nhsNumber: excluded("nhs_number"),
        callingAeTitle: excluded("calling_ae_title"),
        modality: excluded("modality"),
        performedAt: excluded("performed_at"),
        instanceCount: excluded("instance_count"),
        sizeBytes: excluded("size_bytes"),
        trustId: excluded("trust_id"),
        siteId: excluded("site_id"),
        departmentId: excluded("department_id"),
        status: excluded("status"),
        problem: excluded("problem"),
        attributedBy: excluded("attributed_by"),
        deletedAt: excluded("deleted_at"),
        updatedAt: sql`now()`,
      },
    });
  const recorded = rows.filter((r) => r.status === "recorded").length;
  return { recorded, unattributed: rows.length - recorded };
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
  const { archive } = options;
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
    // The last change of each study decides (a study stored, deleted and stored again ends stored).
    const lastChange = new Map(page.changes.map((c) => [c.studyId, c]));
    const gone: string[] = [];
    const stable: StudyFacts[] = [];
    for (const change of lastChange.values()) {
      const f = change.kind === "study-stable" ? facts.get(change.studyId) : null;
      if (f) stable.push(f);
      else gone.push(change.studyId);
    }
    outcome.deleted += await markDeleted(tx, archive.name, gone);
    const recorded = await recordStudies(tx, archive.name, stable);
    outcome.recorded += recorded.recorded;
    outcome.unattributed += recorded.unattributed;
    if (page.last > from) {
      await tx
        .update(pacsConnectorState)
        .set({ lastChangeSeq: page.last, updatedAt: sql`now()` })
        .where(eq(pacsConnectorState.archive, archive.name));
    }
    return outcome;
  });
}

/** Unattributed studies looked at again per run (oldest look first, so none is starved). */
const reattributeBatch = 100;

/** A study row as the archive's facts, so that a waiting study is recorded exactly as a fresh one. */
function factsOfRow(row: typeof pacsStudies.$inferSelect): StudyFacts {
  return {
    archiveId: row.archiveStudyId,
    studyInstanceUid: row.studyInstanceUid,
    accessionNumber: row.accessionNumber,
    patientId: row.patientId,
    issuerOfPatientId: null,
    nhsNumber: row.nhsNumber,
    modalities: row.modality ? [row.modality] : [],
    performedAt: row.performedAt,
    callingAeTitles: row.callingAeTitle ? [row.callingAeTitle] : [],
    instanceCount: row.instanceCount,
    sizeBytes: row.sizeBytes,
  };
}

/**
 * Unattributed studies whose calling AE title now names a registered device (a device registered
 * after its study arrived) are attributed again, a bounded batch per run, without waiting for the
 * archive to report them again. Same discipline as a feed page: under the cursor's row lock (so a
 * feed step and this pass never record one study at once), the exams and the study rows commit
 * together, and the exam ingest skips an exam already stored, so nothing is counted twice.
 */
async function reattributeStudies(options: ConnectorOptions): Promise<{ recorded: number; unattributed: number }> {
  const { archive } = options;
  return withSystem(async (tx) => {
    await tx.insert(pacsConnectorState).values({ archive: archive.name, lastChangeSeq: 0 }).onConflictDoNothing();
    await tx.select({ seq: pacsConnectorState.lastChangeSeq }).from(pacsConnectorState).where(eq(pacsConnectorState.archive, archive.name)).for("update");
    const waiting = await tx
      .select()
      .from(pacsStudies)
      .where(
        and(
          eq(pacsStudies.archive, archive.name),
          eq(pacsStudies.status, "unattributed"),
          sql`exists (select 1 from dicom_devices d where d.ae_title = trim(both ' ' from ${pacsStudies.callingAeTitle}) and d.retired_at is null)`,
        ),
      )
      .orderBy(pacsStudies.updatedAt)
      .limit(reattributeBatch)
      // A study an administrator is attributing by hand right now is theirs; this pass skips it.
      .for("update", { skipLocked: true });
    return recordStudies(tx, archive.name, waiting.map(factsOfRow));
  });
}

/**
 * Studies that left the archive without the feed saying so (Orthanc drops a deleted study's
 * changes): when Mosaic holds more live studies than the archive, the archive's ids
 * are listed and the missing ones marked deleted. Rows are read before the listing, so a study
 * recorded meanwhile is never taken for deleted. A deletion hidden by an equal number of studies
 * not yet stable is found on a later sweep, once they are recorded.
 */
async function sweepDeletions(options: ConnectorOptions): Promise<number> {
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
  if (n <= (await archive.studyCount())) return 0;
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
  // Only those that became recorded count: the others were counted as unattributed when first seen.
  total.recorded += (await reattributeStudies(options)).recorded;
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
