// The Orthanc adapter: Archive (archive.ts) over Orthanc's REST API, with HTTP basic auth. The only
// module of Mosaic that knows Orthanc's routes and JSON shapes (Orthanc Book, "REST API"):
//   GET /changes?since=&limit=          the change feed ({ Changes: [{ ChangeType, ResourceType, ID, Seq }], Done, Last })
//   GET /studies/{id}                   main DICOM tags of the study and its patient
//   GET /studies/{id}/series            each series' Modality and instances
//   GET /studies/{id}/statistics        CountInstances, DiskSize (bytes, as a string)
//   GET /instances/{id}/metadata?expand RemoteAET: the calling AE title of the device that stored it
//   GET /instances/{id}/simplified-tags IssuerOfPatientID
//   GET /statistics, GET /studies?since=&limit=   for deletions, which the feed does not carry:
//     Orthanc deletes a resource's changes with it, so a deleted study simply leaves the archive.
// Every answer is parsed with zod: an archive answering garbage is an ArchiveError naming the field,
// never a crash further in.
import { z } from "zod";
import { londonWallClock } from "@/lib/calendar";
import { ArchiveError, byFrequency, nhsNumberOf, type Archive, type ArchiveChange, type StudyFacts } from "./archive";

export type OrthancConfig = { url: string; username?: string; password?: string; name?: string; timeoutMs?: number };

// Orthanc's ids are SHA-1 based, written as five dash-separated groups of hex; checked before an
// id goes into a URL, so an answer cannot steer a request elsewhere.
const orthancId = z.string().regex(/^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/, "not an Orthanc id");
const count = z.number().int().min(0);
// Orthanc writes sizes as decimal strings (they may pass 2^53 in its C++ but never in practice).
const byteString = z.union([z.string().regex(/^\d{1,16}$/, "not a byte count"), count]).transform(Number);

const changesAnswer = z.object({
  Changes: z.array(z.object({ ChangeType: z.string(), ResourceType: z.string(), ID: z.string(), Seq: count })),
  Done: z.boolean(),
  Last: count,
});

const dicomText = z.string().max(1024).optional();
const studyAnswer = z.object({
  ID: orthancId,
  MainDicomTags: z.object({
    StudyInstanceUID: z.string().regex(/^[0-9.]{1,64}$/, "not a DICOM UID"),
    AccessionNumber: dicomText,
    StudyDate: dicomText,
    StudyTime: dicomText,
  }),
  PatientMainDicomTags: z.object({ PatientID: dicomText }),
});
const seriesAnswer = z.array(
  z.object({ MainDicomTags: z.object({ Modality: z.string().max(16).optional() }), Instances: z.array(orthancId) }),
);
const statisticsAnswer = z.object({ CountInstances: count, DiskSize: byteString });
const metadataAnswer = z.object({ RemoteAET: z.string().max(16).optional() });
const simplifiedTagsAnswer = z.object({ IssuerOfPatientID: z.string().max(1024).optional() });
const systemStatisticsAnswer = z.object({ CountStudies: count });
const studyListAnswer = z.array(orthancId);

/** DICOM DA (YYYYMMDD) and TM (HH[MM[SS[.F]]]) as an instant in London, or null. */
export function dicomDateTime(date: string | undefined, time: string | undefined): Date | null {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date?.trim() ?? "");
  if (!d) return null;
  const t = /^(\d{2})(\d{2})?(\d{2})?(\.\d{1,6})?$/.exec(time?.trim() ?? "");
  const [hh, mm, ss] = t ? [Number(t[1]), Number(t[2] ?? 0), Number(t[3] ?? 0)] : [0, 0, 0];
  return londonWallClock(`${d[1]}-${d[2]}-${d[3]}`, hh, mm, ss);
}

const blank = (s: string | undefined): string | null => (s && s.trim() !== "" ? s.trim() : null);

/** An Archive over the Orthanc at `config.url`. */
export function orthancArchive(config: OrthancConfig): Archive {
  const base = config.url.replace(/\/+$/, "");
  const name = config.name ?? "orthanc";
  const headers: Record<string, string> = { accept: "application/json" };
  if (config.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}`;
  }

  async function get<T>(pathname: string, schema: z.ZodType<T>): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${pathname}`, { headers, signal: AbortSignal.timeout(config.timeoutMs ?? 30_000) });
    } catch (error) {
      throw new ArchiveError(name, `GET ${pathname}`, null, `no answer (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!res.ok) throw new ArchiveError(name, `GET ${pathname}`, null, `HTTP ${res.status}`, res.status);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ArchiveError(name, `GET ${pathname}`, null, "the answer is not JSON");
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ArchiveError(name, `GET ${pathname}`, issue?.path.length ? issue.path.join(".") : "(answer)", issue?.message ?? "unexpected answer");
    }
    return parsed.data;
  }

  /** Runs `fn` over `items` with at most `width` requests in flight (the archive serves others too). */
  async function inBatches<A, B>(items: readonly A[], width: number, fn: (a: A) => Promise<B>): Promise<B[]> {
    const out: B[] = [];
    for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
    return out;
  }

  return {
    name,

    async changesAfter(cursor, limit) {
      const page = await get(`/changes?since=${cursor}&limit=${limit}`, changesAnswer);
      const changes: ArchiveChange[] = [];
      for (const c of page.Changes) {
        if (c.ResourceType !== "Study") continue;
        // Orthanc has reported deletions as "Deleted" in some versions; 1.10 drops a study's
        // changes with it, and the connector's sweep finds those.
        const kind = c.ChangeType === "StableStudy" ? "study-stable" : c.ChangeType === "Deleted" ? "study-deleted" : null;
        if (!kind) continue;
        const id = orthancId.safeParse(c.ID);
        if (!id.success) throw new ArchiveError(name, `GET /changes`, `Changes.${c.Seq}.ID`, "not an Orthanc id");
        changes.push({ seq: c.Seq, kind, studyId: id.data });
      }
      return { changes, last: page.Last, done: page.Done };
    },

    async studyFacts(archiveId) {
      const id = orthancId.parse(archiveId);
      const [study, series, statistics] = await Promise.all([
        get(`/studies/${id}`, studyAnswer),
        get(`/studies/${id}/series`, seriesAnswer),
        get(`/studies/${id}/statistics`, statisticsAnswer),
      ]);
      const instanceIds = series.flatMap((s) => s.Instances);
      const modalities = byFrequency(series.flatMap((s) => (s.MainDicomTags.Modality ? s.Instances.map(() => s.MainDicomTags.Modality!.trim()) : [])));
      // The calling AE title is per instance: a study can be stored by more than one device.
      const aets = await inBatches(instanceIds, 8, async (i) => (await get(`/instances/${i}/metadata?expand`, metadataAnswer)).RemoteAET);
      const issuer = instanceIds[0] ? blank((await get(`/instances/${instanceIds[0]}/simplified-tags`, simplifiedTagsAnswer)).IssuerOfPatientID) : null;
      const tags = study.MainDicomTags;
      const patientId = blank(study.PatientMainDicomTags.PatientID);
      const facts: StudyFacts = {
        archiveId: id,
        studyInstanceUid: tags.StudyInstanceUID,
        accessionNumber: blank(tags.AccessionNumber),
        patientId,
        issuerOfPatientId: issuer,
        nhsNumber: nhsNumberOf(patientId, issuer),
        modalities,
        performedAt: dicomDateTime(tags.StudyDate, tags.StudyTime),
        callingAeTitles: byFrequency(aets.flatMap((a) => (a && a.trim() ? [a.trim()] : []))),
        instanceCount: statistics.CountInstances,
        sizeBytes: statistics.DiskSize,
      };
      return facts;
    },

    async studyCount() {
      return (await get("/statistics", systemStatisticsAnswer)).CountStudies;
    },

    async *studyIds() {
      const pageSize = 10_000;
      for (let since = 0; ; since += pageSize) {
        const page = await get(`/studies?since=${since}&limit=${pageSize}`, studyListAnswer);
        if (page.length > 0) yield page;
        if (page.length < pageSize) return;
      }
    },
  };
}
