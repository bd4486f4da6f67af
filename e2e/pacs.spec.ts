import { expect, test } from "@playwright/test";
import { skipWithoutOrthanc, storeStudy } from "../tests/helpers/orthanc";
import { expectAccessible, signIn } from "./fixtures";

// Issue 14 end to end, against a real Orthanc that e2e/run.ts started and the portal follows (its
// connector job, run by scripts/start.ts beside the server, and its DICOMweb gateway): a PACS
// manager registers a scanner, a study arrives from it over DICOM, a radiologist of the trust
// retrieves it through the gateway, and the study look-up shows it with its device and that retrieval.
test("a study stored from a newly registered device is recorded, retrieved through the gateway and shown with its access history", async ({ page, browser }) => {
  test.skip(skipWithoutOrthanc(), "Orthanc or dcmtk is not installed (and CI is unset)");
  const archive = { url: process.env.E2E_ORTHANC_URL, aet: process.env.E2E_ORTHANC_AET, dicomPort: Number(process.env.E2E_ORTHANC_DICOM_PORT) };
  if (!archive.url || !archive.aet || !archive.dicomPort) throw new Error("Run the end-to-end tests with e2e/run.ts (npm run test:e2e): it starts the Orthanc this spec stores into.");
  // The connector runs once a minute (pg-boss) and follows the feed for most of it: allow for the first run.
  test.setTimeout(300_000);

  // A title no other run used, so a retry or a second run never collides.
  const aeTitle = `RHM_PX${String(Date.now() % 1_000_000).padStart(6, "0")}`;
  await signIn(page, "pacs@rhm.example");
  await page.goto("/trusts/RHM/devices/new");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Register a DICOM device");
  await page.getByLabel("AE title").fill(aeTitle);
  await page.getByLabel("Kind of device").selectOption("modality");
  await page.getByLabel("Modality (required for a scanner)").selectOption("CT");
  await page.getByLabel("Site", { exact: true }).selectOption({ label: "Southampton General Hospital (RHM01)" });
  await page.getByLabel("Description (optional)").fill("End-to-end test CT scanner");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Register device" }).click();
  await expect(page.getByRole("status")).toHaveText("Device registered.");
  await expectAccessible(page);

  // The scanner stores a study into the consortium's Orthanc (C-STORE with its calling AE title).
  const study = await storeStudy({ aet: archive.aet, dicomPort: archive.dicomPort }, aeTitle, { modality: "CT", instances: 2 });

  // The connector records it, attributed by the AE title: the look-up finds it, with the device.
  const region = page.getByRole("region", { name: `Study ${study.accessionNumber} · RHM` });
  await expect(async () => {
    await page.goto(`/studies?by=study&q=${study.studyInstanceUid}`);
    await expect(region).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 240_000, intervals: [2_000, 5_000] });
  await expect(region).toContainText(`${aeTitle} · Modality (scanner)`);
  await expect(region).toContainText("Southampton General Hospital (RHM01)");
  await expect(region).toContainText("2 images");
  await expectAccessible(page);

  // A radiologist of the trust retrieves its metadata through the gateway with their session.
  const radiologist = await browser.newContext();
  try {
    const radPage = await radiologist.newPage();
    await signIn(radPage, "rad@rhm.example");
    await expectAccessible(radPage);
    const res = await radPage.request.get(`/dicom-web/studies/${study.studyInstanceUid}/metadata`, { headers: { accept: "application/dicom+json" } });
    expect(res.status()).toBe(200);
    const instances = (await res.json()) as Array<Record<string, { Value?: unknown[] }>>;
    expect(instances).toHaveLength(2);
    expect(instances[0]?.["0020000D"]?.Value).toEqual([study.studyInstanceUid]);
  } finally {
    await radiologist.close();
  }

  // The PACS manager's look-up shows that retrieval in the study's access history.
  await page.goto(`/studies?by=study&q=${study.studyInstanceUid}`);
  const retrieval = region.getByRole("row").filter({ hasText: "Retrieved a study" }).filter({ hasText: "rad@rhm.example" });
  await expect(retrieval).toHaveCount(1);
  await expect(retrieval).toContainText("Succeeded");
  await expectAccessible(page);
});
