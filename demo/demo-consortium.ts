// The demo consortium as it is in life: four trusts of the Wessex region, their hospitals and
// imaging departments. Site codes follow the ODS pattern; postcodes are the hospitals' own.
import type { deviceKinds } from "@/db/schema/devices";
import type { modalities } from "@/db/schema/trusts";

type Modality = (typeof modalities)[number];
type DemoDepartment = { name: string; modalities: Modality[] };
/** A DICOM device of a site: its AE title starts with the trust's ODS code; `department` names one of the site's. */
type DemoDevice = { aeTitle: string; kind: (typeof deviceKinds)[number]; modality?: Modality; department?: string; description: string };
type DemoSite = { code: string; name: string; town: string; postcode: string; departments: DemoDepartment[]; devices: DemoDevice[] };
/** `rad` and `clin`: the viewer side's sign-ins (a radiologist and a clinician of the trust). */
type DemoStaff = { pacs: string; ig: string; ig2: string; cio: string; radiologist: string; rad: string; clin: string };
export type DemoTrust = { odsCode: string; name: string; sites: DemoSite[]; staff: DemoStaff };

export const demoPassword = "mosaic-demo-password";

export const demoConsortium = { name: "Wessex Imaging Consortium", contractedAnnualExams: 1_750_000 };

export const demoConsortiumStaff = {
  admin: "Morgan Ellis",
  ig: "Dr Hannah Price",
  cio: "Rajesh Natarajan",
};

export const demoTrusts: DemoTrust[] = [
  {
    odsCode: "RHM",
    name: "University Hospital Southampton NHS Foundation Trust",
    staff: { pacs: "Claire Whitfield", ig: "Samuel Adeyemi", ig2: "Dr Niamh Gallagher", radiologist: "Dr Oluwaseun Bello", cio: "Fiona McAllister", rad: "Dr Catherine Doyle", clin: "Dr Marcus Femi" },
    sites: [
      {
        code: "RHM01",
        name: "Southampton General Hospital",
        town: "Southampton",
        postcode: "SO16 6YD",
        departments: [
          { name: "Main X-ray and CT", modalities: ["CR", "DX", "CT", "RF"] },
          { name: "MRI Centre", modalities: ["MR"] },
          { name: "Nuclear Medicine and PET-CT", modalities: ["NM", "PT", "CT"] },
          { name: "Interventional Radiology", modalities: ["XA", "RF"] },
          { name: "Emergency Department Imaging", modalities: ["CR", "DX", "CT", "US"] },
        ],
        devices: [
          { aeTitle: "RHM_CT1", kind: "modality", modality: "CT", department: "Main X-ray and CT", description: "CT scanner, main department" },
          { aeTitle: "RHM_CT2", kind: "modality", modality: "CT", department: "Emergency Department Imaging", description: "CT scanner, emergency department" },
          { aeTitle: "RHM_MR1", kind: "modality", modality: "MR", department: "MRI Centre", description: "3T MRI scanner" },
          { aeTitle: "RHM_CR1", kind: "modality", modality: "CR", department: "Main X-ray and CT", description: "X-ray room 1" },
          { aeTitle: "RHM_NM1", kind: "modality", modality: "NM", department: "Nuclear Medicine and PET-CT", description: "Gamma camera" },
          { aeTitle: "RHM_WS1", kind: "workstation", description: "Reporting workstation, radiology office" },
        ],
      },
      {
        code: "RHM02",
        name: "Princess Anne Hospital",
        town: "Southampton",
        postcode: "SO16 5YA",
        departments: [
          { name: "Fetal Medicine Unit", modalities: ["US"] },
          { name: "Women's Imaging", modalities: ["US", "DX"] },
        ],
        devices: [
          { aeTitle: "RHM_US1", kind: "modality", modality: "US", department: "Fetal Medicine Unit", description: "Ultrasound, fetal medicine" },
        ],
      },
      {
        code: "RHM03",
        name: "Royal South Hants Hospital",
        town: "Southampton",
        postcode: "SO14 0YG",
        departments: [
          { name: "Breast Imaging Unit", modalities: ["MG", "US"] },
          { name: "Outpatient X-ray", modalities: ["CR", "DX"] },
        ],
        devices: [
          { aeTitle: "RHM_MG1", kind: "modality", modality: "MG", department: "Breast Imaging Unit", description: "Mammography unit" },
          { aeTitle: "RHM_DX1", kind: "modality", modality: "DX", department: "Outpatient X-ray", description: "Outpatient X-ray room" },
        ],
      },
    ],
  },
  {
    odsCode: "RHU",
    name: "Portsmouth Hospitals University NHS Trust",
    staff: { pacs: "Daniel Okonjo", ig: "Rebecca Lam", ig2: "Tomasz Nowak", radiologist: "Dr Priya Raman", cio: "Martin Hughes", rad: "Dr Anil Kapoor", clin: "Dr Grace Whitmore" },
    sites: [
      {
        code: "RHU03",
        name: "Queen Alexandra Hospital",
        town: "Portsmouth",
        postcode: "PO6 3LY",
        departments: [
          { name: "Radiology", modalities: ["CR", "DX", "CT", "MR", "US", "RF"] },
          { name: "Breast Screening Unit", modalities: ["MG", "US"] },
          { name: "Cardiac Imaging", modalities: ["XA", "CT", "MR"] },
          { name: "Nuclear Medicine", modalities: ["NM", "PT"] },
        ],
        devices: [
          { aeTitle: "RHU_MR1", kind: "modality", modality: "MR", department: "Radiology", description: "1.5T MRI scanner" },
          { aeTitle: "RHU_CT1", kind: "modality", modality: "CT", department: "Radiology", description: "CT scanner" },
          { aeTitle: "RHU_CR1", kind: "modality", modality: "CR", department: "Radiology", description: "X-ray room 1" },
          { aeTitle: "RHU_US1", kind: "modality", modality: "US", department: "Radiology", description: "Ultrasound room 2" },
          { aeTitle: "RHU_MG1", kind: "modality", modality: "MG", department: "Breast Screening Unit", description: "Mammography unit" },
          { aeTitle: "RHU_WS1", kind: "workstation", description: "Reporting workstation" },
        ],
      },
    ],
  },
  {
    odsCode: "RNZ",
    name: "Salisbury NHS Foundation Trust",
    staff: { pacs: "Gareth Pryce", ig: "Aisha Rahman", ig2: "Jonathan Ashby", radiologist: "Dr Eleanor Marsh", cio: "Helen Osei", rad: "Dr Ifeoma Nwosu", clin: "Dr Robert Tremayne" },
    sites: [
      {
        code: "RNZ02",
        name: "Salisbury District Hospital",
        town: "Salisbury",
        postcode: "SP2 8BJ",
        departments: [
          { name: "Imaging Department", modalities: ["CR", "DX", "CT", "MR", "US", "RF"] },
          { name: "Breast Unit", modalities: ["MG", "US"] },
          { name: "Duke of Cornwall Spinal Treatment Centre Imaging", modalities: ["MR", "CT", "DX"] },
        ],
        devices: [
          { aeTitle: "RNZ_CR1", kind: "modality", modality: "CR", department: "Imaging Department", description: "X-ray room 1" },
          { aeTitle: "RNZ_CT1", kind: "modality", modality: "CT", department: "Imaging Department", description: "CT scanner" },
          { aeTitle: "RNZ_MR1", kind: "modality", modality: "MR", department: "Duke of Cornwall Spinal Treatment Centre Imaging", description: "MRI scanner, spinal centre" },
          { aeTitle: "RNZ_US1", kind: "modality", modality: "US", department: "Breast Unit", description: "Ultrasound, breast unit" },
          { aeTitle: "RNZ_WS1", kind: "workstation", description: "Reporting workstation" },
        ],
      },
    ],
  },
  {
    odsCode: "R1F",
    name: "Isle of Wight NHS Trust",
    staff: { pacs: "Tessa Yarrow", ig: "Imran Chaudhry", ig2: "Sophie Calloway", radiologist: "Dr Kwame Mensah", cio: "Lucy Brennan", rad: "Dr Hazel Pemberton", clin: "Dr Yusuf Demir" },
    sites: [
      {
        code: "R1F01",
        name: "St Mary's Hospital",
        town: "Newport",
        postcode: "PO30 5TG",
        departments: [
          { name: "Radiology", modalities: ["CR", "DX", "CT", "MR", "US", "RF"] },
          { name: "Breast Screening", modalities: ["MG"] },
        ],
        devices: [
          { aeTitle: "R1F_US1", kind: "modality", modality: "US", department: "Radiology", description: "Ultrasound room 1" },
          { aeTitle: "R1F_CT1", kind: "modality", modality: "CT", department: "Radiology", description: "CT scanner" },
          { aeTitle: "R1F_CR1", kind: "modality", modality: "CR", department: "Radiology", description: "X-ray room 1" },
          { aeTitle: "R1F_MG1", kind: "modality", modality: "MG", department: "Breast Screening", description: "Mammography unit" },
          { aeTitle: "R1F_WS1", kind: "workstation", description: "Reporting workstation" },
        ],
      },
    ],
  },
];

/** The demo sign-ins, as the terminal and the README show them. */
export function demoSignIns(): { email: string; role: string }[] {
  return [
    { email: "admin@consortium.example", role: "consortium administrator" },
    { email: "ig@consortium.example", role: "IG officer, whole consortium" },
    { email: "cio@consortium.example", role: "CIO, whole consortium" },
    ...demoTrusts.flatMap((t) => {
      const ods = t.odsCode.toLowerCase();
      return [
        { email: `pacs@${ods}.example`, role: `PACS manager, ${t.odsCode}` },
        { email: `ig@${ods}.example`, role: `IG officer, ${t.odsCode}` },
        { email: `ig2@${ods}.example`, role: `second IG officer, ${t.odsCode} (approves policies)` },
        { email: `cio@${ods}.example`, role: `CIO, ${t.odsCode}` },
      ];
    }),
    // The viewer side (access decisions, the DICOMweb gateway): clinical roles, no portal pages but
    // the overview. Listed after the portal sign-ins, which the pages benchmark takes first.
    ...demoTrusts.flatMap((t) => {
      const ods = t.odsCode.toLowerCase();
      return [
        { email: `rad@${ods}.example`, role: `radiologist, ${t.odsCode} (viewer)` },
        { email: `clin@${ods}.example`, role: `clinician, ${t.odsCode} (viewer)` },
      ];
    }),
  ];
}
