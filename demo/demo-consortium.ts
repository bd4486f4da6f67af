// The demo consortium as it is in life: four trusts of the Wessex region, their hospitals and
// imaging departments. Site codes follow the ODS pattern; postcodes are the hospitals' own.
import type { modalities } from "@/db/schema/trusts";

type Modality = (typeof modalities)[number];
type DemoDepartment = { name: string; modalities: Modality[] };
type DemoSite = { code: string; name: string; town: string; postcode: string; departments: DemoDepartment[] };
export type DemoTrust = { odsCode: string; name: string; sites: DemoSite[]; staff: { pacs: string; ig: string; ig2: string; cio: string; radiologist: string } };

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
    staff: { pacs: "Claire Whitfield", ig: "Samuel Adeyemi", ig2: "Dr Niamh Gallagher", radiologist: "Dr Oluwaseun Bello", cio: "Fiona McAllister" },
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
      },
    ],
  },
  {
    odsCode: "RHU",
    name: "Portsmouth Hospitals University NHS Trust",
    staff: { pacs: "Daniel Okonjo", ig: "Rebecca Lam", ig2: "Tomasz Nowak", radiologist: "Dr Priya Raman", cio: "Martin Hughes" },
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
      },
    ],
  },
  {
    odsCode: "RNZ",
    name: "Salisbury NHS Foundation Trust",
    staff: { pacs: "Gareth Pryce", ig: "Aisha Rahman", ig2: "Jonathan Ashby", radiologist: "Dr Eleanor Marsh", cio: "Helen Osei" },
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
      },
    ],
  },
  {
    odsCode: "R1F",
    name: "Isle of Wight NHS Trust",
    staff: { pacs: "Tessa Yarrow", ig: "Imran Chaudhry", ig2: "Sophie Calloway", radiologist: "Dr Kwame Mensah", cio: "Lucy Brennan" },
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
  ];
}
