// The folder witness: append-only, one line per checkpoint, a line cut short by a crash ignored
// and closed off before the next, names that could leave the folder refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { folderWitness } from "@/lib/audit/witness";

const jws = (n: number) => `eyJhbGciOiJFZERTQSJ9.eyJzZXEiOj${n}.c2lnbmF0dXJl`;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "mosaic-witness-unit-"));

describe("the folder witness", () => {
  it("appends, lists in order, and reads the latest from the end", async () => {
    const dir = tmp();
    const w = folderWitness(dir);
    expect(await w.latest("consortium")).toBeNull();
    expect(await w.list()).toEqual([]);
    for (const seq of [3, 7, 12]) await w.publish({ chain: "consortium", seq, jws: jws(seq) });
    await w.publish({ chain: "a-trust", seq: 1, jws: jws(1) });
    expect((await w.list("consortium")).map((e) => e.seq)).toEqual([3, 7, 12]);
    expect(await w.latest("consortium")).toEqual({ chain: "consortium", seq: 12, jws: jws(12) });
    expect(await w.chains()).toEqual(["a-trust", "consortium"]);
    expect((await w.list()).length).toBe(4);
    // Append-only on disk: the earlier lines are still the file's first bytes.
    expect(fs.readFileSync(path.join(dir, "consortium.jws-log"), "utf8")).toMatch(/^3 \S+\n7 \S+\n12 \S+\n$/);
  });

  it("ignores a line cut short by a crash, and starts the next on a line of its own", async () => {
    const dir = tmp();
    const w = folderWitness(dir);
    await w.publish({ chain: "consortium", seq: 1, jws: jws(1) });
    fs.appendFileSync(path.join(dir, "consortium.jws-log"), "2 eyJhbGciOi");
    expect((await w.list("consortium")).map((e) => e.seq)).toEqual([1]);
    expect((await w.latest("consortium"))?.seq).toBe(1);
    await w.publish({ chain: "consortium", seq: 2, jws: jws(2) });
    expect((await w.list("consortium")).map((e) => e.seq)).toEqual([1, 2]);
  });

  it("finds the latest past a long history", async () => {
    const w = folderWitness(tmp());
    for (let seq = 1; seq <= 200; seq++) await w.publish({ chain: "consortium", seq, jws: jws(seq) });
    expect((await w.latest("consortium"))?.seq).toBe(200);
  });

  it("refuses chain names that could leave the folder, and what is not a JWS", async () => {
    const w = folderWitness(tmp());
    await expect(w.publish({ chain: "../etc", seq: 1, jws: jws(1) })).rejects.toThrow(/chain name/);
    await expect(w.publish({ chain: "consortium", seq: 0, jws: jws(1) })).rejects.toThrow(/sequence/);
    await expect(w.publish({ chain: "consortium", seq: 1, jws: "not a jws\n" })).rejects.toThrow(/JWS/);
  });
});
