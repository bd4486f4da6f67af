// `npm run pacs:demo`: a local Orthanc for the whole loop (a device stores a study into the archive,
// Mosaic's connector records it). Orthanc comes from the system package (apt-get install orthanc
// orthanc-dicomweb dcmtk); its configuration is generated under .data/orthanc: REST API on loopback
// only, with credentials (generated once and kept there), DICOMweb on. The first run stores a few
// synthetic studies from the demo devices of each trust (made with dcmtk, stored with storescu from
// their AE titles); later runs keep what the archive holds. Ctrl+C stops Orthanc.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { nhsCheckDigit } from "@/lib/nhs-number";
import { freePort, missingOrthancTools, startOrthanc, storeStudy } from "../tests/helpers/orthanc";

const dir = path.join(path.resolve(process.env.MOSAIC_DATA_DIR ?? ".data"), "orthanc");

const missing = missingOrthancTools();
if (missing.length > 0) {
  console.error(`pacs:demo needs ${missing.join(", ")}.\nOn Debian or Ubuntu: sudo apt-get install orthanc orthanc-dicomweb dcmtk`);
  process.exit(1);
}

type Saved = { username: string; password: string; httpPort: number; dicomPort: number };
await mkdir(dir, { recursive: true, mode: 0o700 });
const savedFile = path.join(dir, "demo.json");
const saved: Saved = existsSync(savedFile)
  ? (JSON.parse(readFileSync(savedFile, "utf8")) as Saved)
  : { username: "mosaic", password: randomBytes(18).toString("base64url"), httpPort: 8042, dicomPort: 4242 };
// The usual ports when free, so that an ORTHANC_URL printed before still works; others when taken.
const portOr = async (port: number) => {
  const probe = await import("node:net").then(
    (net) =>
      new Promise<boolean>((resolve) => {
        const s = net.createServer().once("error", () => resolve(false));
        s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
      }),
  );
  return probe ? port : freePort();
};
saved.httpPort = await portOr(saved.httpPort);
saved.dicomPort = await portOr(saved.dicomPort);
await writeFile(savedFile, JSON.stringify(saved, null, 2), { mode: 0o600 });

const orthanc = await startOrthanc({ dir, ...saved, stableAge: 5, name: "Mosaic demo archive" });

// A demo NHS number from the 999 range (never issued to a real patient) with its check digit.
const nhsNumber = (n: number) => {
  for (let k = n; ; k++) {
    const nine = `999${String(k).padStart(6, "0")}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) return `${nine}${check}`;
  }
};

const devices = [
  { ae: "RHM_CT1", modality: "CT" },
  { ae: "RHU_MR1", modality: "MR" },
  { ae: "RNZ_CR1", modality: "CR" },
  { ae: "R1F_US1", modality: "US" },
];
const held = ((await orthanc.get("/statistics")) as { CountStudies: number }).CountStudies;
if (held === 0) {
  let k = 100;
  for (const device of devices) {
    for (let i = 0; i < 2; i++) {
      const day = new Date(Date.now() - (i + 1) * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
      const study = await storeStudy(orthanc, device.ae, { modality: device.modality, patientId: nhsNumber(k++), studyDate: day, studyTime: `${10 + i}3000`, instances: 3 });
      console.log(`Stored ${device.modality} study ${study.accessionNumber} (${study.studyInstanceUid}) from ${device.ae}`);
    }
  }
}
const count = ((await orthanc.get("/statistics")) as { CountStudies: number }).CountStudies;

console.log(`
Orthanc is running with ${count} studies (data in ${dir}).
  REST API and DICOMweb: ${orthanc.url}  (loopback only; DICOMweb at ${orthanc.url}/dicom-web/)
  DICOM (C-STORE):       AE title ${orthanc.aet}, port ${orthanc.dicomPort} (any calling AE title may store)

Point Mosaic at it (in another terminal):
  ORTHANC_URL=${orthanc.url} ORTHANC_USERNAME=${orthanc.username} ORTHANC_PASSWORD=${orthanc.password} npm start

Store another study from a device, for example:
  storescu -aet RHM_CT1 -aec ${orthanc.aet} 127.0.0.1 ${orthanc.dicomPort} <file.dcm>

Ctrl+C stops Orthanc.`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log("Stopping Orthanc…");
    void orthanc.stop().then(() => process.exit(0));
  });
}
// Keeps the process alive until a signal (Orthanc is its child).
setInterval(() => {}, 1 << 30);
