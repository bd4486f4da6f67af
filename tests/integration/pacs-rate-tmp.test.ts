import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { makeTrust, ownerQuery } from "../helpers/factories";
import { startOrthanc, storeFiles, syntheticStudy, writeStudyFiles } from "../helpers/orthanc";
import { followUntilCaughtUp } from "@/lib/pacs/connector";
import { orthancArchive } from "@/lib/pacs/orthanc";

it("rate", async () => {
  const N = Number(process.env.N ?? 300);
  const orthanc = await startOrthanc({ stableAge: 1 });
  const t = await makeTrust();
  const dir = await mkdtemp(path.join(tmpdir(), "rate-"));
  try {
    const files: string[] = [];
    for (let i = 0; i < N; i++) files.push(...(await writeStudyFiles(syntheticStudy({ instances: 1 }), path.join(dir, String(i)))));
    let t0 = performance.now();
    await storeFiles(orthanc, "RATE_CT1", files);
    console.log(`stored ${N} studies with storescu in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (;;) { const s = (await orthanc.get("/changes?since=0&limit=1&last")) as unknown; void s; const st = (await orthanc.get(`/statistics`)) as { CountStudies: number }; if (st.CountStudies === N) break; await new Promise(r => setTimeout(r, 200)); }
    await new Promise((r) => setTimeout(r, 4000));
    const archive = orthancArchive({ url: orthanc.url, username: orthanc.username, password: orthanc.password });
    const resolve = async () => ({ trustId: t.id, siteId: t.siteId, departmentId: t.departmentId, modality: "CT" });
    t0 = performance.now();
    const ids = (await orthanc.get("/studies")) as string[];
    for (let i = 0; i < ids.length; i += 4) await Promise.all(ids.slice(i, i + 4).map((id) => archive.studyFacts(id)));
    console.log(`facts alone: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    t0 = performance.now();
    const r = await followUntilCaughtUp({ archive, resolveAeTitle: resolve });
    const s = (performance.now() - t0) / 1000;
    console.log(`connector: ${JSON.stringify(r)} in ${s.toFixed(2)} s = ${(r.recorded / s).toFixed(1)} studies/s`);
    const [c] = await ownerQuery<{ n: number }>(sql`select count(*)::int as n from exams where trust_id = ${t.id}`);
    expect(c?.n).toBe(N);
  } finally { await rm(dir, { recursive: true, force: true }); await orthanc.stop(); }
}, 600_000);
