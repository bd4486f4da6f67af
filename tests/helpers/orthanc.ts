// A real Orthanc for tests and for `npm run pacs:demo`: started from the system package (Debian's
// `orthanc` and `orthanc-dicomweb`) on free loopback ports with a generated configuration in a
// folder of its own, and synthetic DICOM studies made with dcmtk (`dump2dcm`) and stored over DIMSE
// with `storescu`, from whatever calling AE title a test needs. Never a mock of the archive.
// No vitest import here: scripts/pacs-demo.ts uses this module too.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const orthancBinary = ["/usr/sbin/Orthanc", "/usr/bin/Orthanc"].find((p) => existsSync(p));
const dicomWebPlugin = ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so", "/usr/lib/orthanc/libOrthancDicomWeb.so.1.7"].find((p) => existsSync(p));
const dcmtk = ["/usr/bin/dump2dcm", "/usr/bin/storescu"];

/** What is missing to run Orthanc tests (empty when everything is installed). */
export function missingOrthancTools(): string[] {
  const missing: string[] = [];
  if (!orthancBinary) missing.push("Orthanc (apt-get install orthanc)");
  if (!dicomWebPlugin) missing.push("the DICOMweb plugin (apt-get install orthanc-dicomweb)");
  for (const tool of dcmtk) if (!existsSync(tool)) missing.push(`${path.basename(tool)} (apt-get install dcmtk)`);
  return missing;
}

/**
 * Whether the Orthanc tests should be skipped: only when the tools are missing AND CI is not set.
 * In CI a missing tool throws, so the suite fails loudly instead of passing by skipping.
 */
export function skipWithoutOrthanc(): boolean {
  const missing = missingOrthancTools();
  if (missing.length === 0) return false;
  if (process.env.CI) throw new Error(`The Orthanc tests need ${missing.join(", ")}; CI must install them (.ci/run).`);
  console.warn(`[orthanc tests] skipped: missing ${missing.join(", ")}`);
  return true;
}

/** A free TCP port on loopback (the OS picks it; a tiny race with other processes is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type OrthancOptions = {
  /** Folder for the configuration, storage and index; a new temporary one when absent (and removed on stop). */
  dir?: string;
  httpPort?: number;
  dicomPort?: number;
  username?: string;
  password?: string;
  /** Seconds without a new instance before a study is "stable" (Orthanc's StableAge). */
  stableAge?: number;
  aet?: string;
  /** The archive's name (Orthanc's "Name", shown in its explorer). */
  name?: string;
};

export type RunningOrthanc = {
  url: string;
  username: string;
  password: string;
  aet: string;
  dicomPort: number;
  dir: string;
  /** Basic-auth fetch of a path of the REST API, for a test's own checks. */
  get(pathname: string): Promise<unknown>;
  /** Deletes a study by Orthanc id (a PACS manager removing it from the archive). */
  deleteStudy(orthancId: string): Promise<void>;
  stop(): Promise<void>;
};

/** The configuration Orthanc runs with: loopback only, credentials, DICOMweb on, any calling AE may store. */
function configurationOf(o: Required<Omit<OrthancOptions, "dir">> & { dir: string }) {
  return {
    Name: o.name,
    StorageDirectory: path.join(o.dir, "storage"),
    IndexDirectory: path.join(o.dir, "index"),
    HttpPort: o.httpPort,
    DicomPort: o.dicomPort,
    DicomAet: o.aet,
    // The REST API answers loopback only, and only with credentials; Mosaic is its one client.
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [o.username]: o.password },
    // Devices store from any calling AE title and host: Mosaic attributes them afterwards, and
    // keeps what it cannot attribute in its unattributed list rather than the archive refusing it.
    DicomCheckCalledAet: false,
    DicomAlwaysAllowStore: true,
    DicomCheckModalityHost: false,
    StableAge: o.stableAge,
    Plugins: dicomWebPlugin ? [dicomWebPlugin] : [],
    DicomWeb: { Enable: true, Root: "/dicom-web/", EnableWado: true, Ssl: false },
    // Nothing of a test run is worth keeping between runs.
    SaveJobs: false,
    HttpDescribeErrors: true,
    ExecuteLuaEnabled: false,
    RestApiWriteToFileSystemEnabled: false,
  };
}

/** Starts Orthanc and waits until its REST API answers with our credentials. */
export async function startOrthanc(options: OrthancOptions = {}): Promise<RunningOrthanc> {
  if (!orthancBinary) throw new Error(`Orthanc is not installed: ${missingOrthancTools().join(", ")}`);
  const ownDir = !options.dir;
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), "mosaic-orthanc-")));
  await mkdir(dir, { recursive: true });
  const o = {
    dir,
    httpPort: options.httpPort ?? (await freePort()),
    dicomPort: options.dicomPort ?? (await freePort()),
    username: options.username ?? "mosaic",
    password: options.password ?? randomBytes(18).toString("base64url"),
    stableAge: options.stableAge ?? 2,
    aet: options.aet ?? "MOSAIC_PACS",
    name: options.name ?? "Mosaic test archive",
  };
  const configPath = path.join(dir, "orthanc.json");
  await writeFile(configPath, JSON.stringify(configurationOf(o), null, 2), { mode: 0o600 });
  const child: ChildProcess = spawn(orthancBinary, [configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${o.httpPort}`;
  const authorization = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString("base64")}`;
  const get = async (pathname: string): Promise<unknown> => {
    const res = await fetch(`${url}${pathname}`, { headers: { authorization } });
    if (!res.ok) throw new Error(`Orthanc ${pathname}: HTTP ${res.status}`);
    return res.json();
  };

  const deadline = Date.now() + 30_000;
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited (${child.exitCode}) while starting:\n${log}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Orthanc did not answer on ${url} within 30 s:\n${log}`);
    }
    try {
      await get("/system");
      ready = true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    url,
    username: o.username,
    password: o.password,
    aet: o.aet,
    dicomPort: o.dicomPort,
    dir,
    get,
    async deleteStudy(orthancId) {
      const res = await fetch(`${url}/studies/${orthancId}`, { method: "DELETE", headers: { authorization } });
      if (!res.ok) throw new Error(`Orthanc DELETE /studies/${orthancId}: HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The root of the synthetic UIDs (a test root under 1.2.826.0.1.3680043.9, dcmtk's example root). */
const uidRoot = "1.2.826.0.1.3680043.9.7434";
let uidCounter = 0;

/** A new UID under the test root, unique in this process and across processes. */
export function testUid(): string {
  return `${uidRoot}.${process.pid}.${Date.now()}.${++uidCounter}`;
}

export type SyntheticStudy = {
  studyInstanceUid: string;
  accessionNumber: string;
  patientId: string;
  modality: string;
  /** YYYYMMDD and HHMMSS as DICOM writes them (wall-clock time at the site). */
  studyDate: string;
  studyTime: string;
  instances: number;
  /** Rows and columns of each image: 8 (8 bits, in the dump) unless a benchmark wants real sizes (16 bits, from a file). */
  pixels: number;
};

/** A synthetic study's description; UIDs fresh, a valid NHS number as the patient id. */
export function syntheticStudy(over: Partial<SyntheticStudy> = {}): SyntheticStudy {
  return {
    studyInstanceUid: testUid(),
    accessionNumber: `ACC${Date.now().toString(36).toUpperCase()}${(++uidCounter).toString(36).toUpperCase()}`.slice(0, 16),
    patientId: "9990000018",
    modality: "CT",
    studyDate: "20250304",
    studyTime: "091500",
    instances: 2,
    pixels: 8,
    ...over,
  };
}

/**
 * The dcmtk text dump of one instance: patient, study, series, and pixel data: a small 8x8 image
 * written in the dump, or a larger 16-bit one read by dump2dcm from `pixelFile`.
 */
function dumpOf(study: SyntheticStudy, seriesUid: string, sopUid: string, index: number, pixelFile: string | null): string {
  const pixels = Array.from({ length: 64 }, (_, i) => ((i * 4 + index) & 0xff).toString(16).padStart(2, "0"));
  const words: string[] = [];
  for (let i = 0; i < 64; i += 2) words.push(`${pixels[i + 1]}${pixels[i]}`);
  const bits = pixelFile ? 16 : 8;
  const sopClass = study.modality === "MR" ? "1.2.840.10008.5.1.4.1.1.4" : study.modality === "CT" ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.7";
  return [
    `(0002,0001) OB 00\\01`,
    `(0002,0002) UI =${sopClass === "1.2.840.10008.5.1.4.1.1.7" ? "SecondaryCaptureImageStorage" : study.modality === "MR" ? "MRImageStorage" : "CTImageStorage"}`,
    `(0002,0003) UI [${sopUid}]`,
    `(0002,0010) UI =LittleEndianExplicit`,
    `(0008,0016) UI [${sopClass}]`,
    `(0008,0018) UI [${sopUid}]`,
    `(0008,0020) DA [${study.studyDate}]`,
    `(0008,0030) TM [${study.studyTime}]`,
    `(0008,0050) SH [${study.accessionNumber}]`,
    `(0008,0060) CS [${study.modality}]`,
    `(0010,0010) PN [Test^Patient]`,
    `(0010,0020) LO [${study.patientId}]`,
    `(0010,0021) LO [NHS]`,
    `(0020,000d) UI [${study.studyInstanceUid}]`,
    `(0020,000e) UI [${seriesUid}]`,
    `(0020,0010) SH [1]`,
    `(0020,0011) IS [1]`,
    `(0020,0013) IS [${index + 1}]`,
    `(0028,0002) US 1`,
    `(0028,0004) CS [MONOCHROME2]`,
    `(0028,0010) US ${pixelFile ? study.pixels : 8}`,
    `(0028,0011) US ${pixelFile ? study.pixels : 8}`,
    `(0028,0100) US ${bits}`,
    `(0028,0101) US ${bits}`,
    `(0028,0102) US ${bits - 1}`,
    `(0028,0103) US 0`,
    pixelFile ? `(7fe0,0010) OW =${pixelFile}` : `(7fe0,0010) OW ${words.join("\\")}`,
    "",
  ].join("\n");
}

/** Writes a study's instances as DICOM files into `dir` (made with dump2dcm); answers their paths. */
export async function writeStudyFiles(study: SyntheticStudy, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const seriesUid = testUid();
  const files: string[] = [];
  const pixelFile = study.pixels > 8 ? path.join(dir, "pixels.raw") : null;
  if (pixelFile) await writeFile(pixelFile, randomBytes(study.pixels * study.pixels * 2));
  for (let i = 0; i < study.instances; i++) {
    const sopUid = testUid();
    const dump = path.join(dir, `${sopUid}.txt`);
    const file = path.join(dir, `${sopUid}.dcm`);
    await writeFile(dump, dumpOf(study, seriesUid, sopUid, i, pixelFile));
    await run("dump2dcm", ["--write-file", dump, file]);
    files.push(file);
  }
  return files;
}

/** Stores files into Orthanc over DICOM (C-STORE) as a device with calling AE title `callingAe`. */
export async function storeFiles(orthanc: Pick<RunningOrthanc, "aet" | "dicomPort">, callingAe: string, files: string[]): Promise<void> {
  // Few invocations: one association carries every file of the batch.
  for (let i = 0; i < files.length; i += 200) {
    await run("storescu", ["-aet", callingAe, "-aec", orthanc.aet, "127.0.0.1", String(orthanc.dicomPort), ...files.slice(i, i + 200)]);
  }
}

/** Generates a synthetic study and stores it from `callingAe`; the files go into a temp folder removed after. */
export async function storeStudy(orthanc: Pick<RunningOrthanc, "aet" | "dicomPort">, callingAe: string, over: Partial<SyntheticStudy> = {}): Promise<SyntheticStudy> {
  const study = syntheticStudy(over);
  const dir = await mkdtemp(path.join(tmpdir(), "mosaic-dicom-"));
  try {
    await storeFiles(orthanc, callingAe, await writeStudyFiles(study, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return study;
}
