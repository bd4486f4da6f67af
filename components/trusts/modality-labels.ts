import type { modalities } from "@/lib/trusts/schemas";

/** DICOM modality codes and what people call them. */
export const modalityLabels: Record<(typeof modalities)[number], string> = {
  CT: "Computed tomography",
  MR: "Magnetic resonance",
  CR: "Computed radiography",
  DX: "Digital X-ray",
  US: "Ultrasound",
  MG: "Mammography",
  NM: "Nuclear medicine",
  PT: "PET",
  XA: "X-ray angiography",
  RF: "Fluoroscopy",
};
