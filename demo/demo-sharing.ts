// The demo consortium's sharing: realistic policies between the four trusts (one pending approval,
// one revoked, one expired, one with a superseded version) and two restricted patients. Authors
// are each trust's IG officer and approvers its second IG officer (two-person rule).
import type { StoredRule } from "@/lib/vocabulary";

type DemoVersion = {
  status: "active" | "superseded" | "revoked" | "pending_approval";
  effectiveFrom: string;
  effectiveUntil?: string;
  changeNote: string;
  rules: Omit<StoredRule, "id">[];
  revokeReason?: string;
};
export type DemoPolicy = { source: string; name: string; description: string; versions: DemoVersion[] };

const clinical = ["radiologist", "reporting_radiographer", "clinician", "mdt_coordinator"];

export const demoPolicies: DemoPolicy[] = [
  {
    source: "RNZ",
    name: "Salisbury imaging for regional care",
    description: "Southampton and Portsmouth clinicians caring for Salisbury patients.",
    versions: [
      {
        status: "active",
        effectiveFrom: "2025-04-01",
        changeNote: "First version, under the Wessex imaging data sharing agreement.",
        rules: [
          { effect: "permit", targetTrusts: ["RHM", "RHU"], requesterRoles: ["clinician", "radiologist"], modalities: ["CR", "CT", "DX", "MR"], purposes: ["direct_care", "mdt"], maxStudyAgeYears: 10, requiresRelationship: true, breakGlassAllowed: true },
        ],
      },
    ],
  },
  {
    source: "RHM",
    name: "Southampton imaging for Wessex networks",
    description: "The regional cancer, trauma and cardiac networks hosted at Southampton General.",
    versions: [
      {
        status: "superseded",
        effectiveFrom: "2024-04-01",
        changeNote: "First version: Portsmouth and Salisbury.",
        rules: [
          { effect: "permit", targetTrusts: ["RHU", "RNZ"], requesterRoles: ["clinician", "radiologist"], modalities: ["CT", "MR", "NM", "PT"], purposes: ["direct_care", "mdt"], maxStudyAgeYears: 8, requiresRelationship: true, breakGlassAllowed: true },
        ],
      },
      {
        status: "active",
        effectiveFrom: "2025-01-01",
        changeNote: "Adds the Isle of Wight, plain film and ultrasound, and emergency transfers; research is never shared under this policy.",
        rules: [
          { effect: "permit", targetTrusts: ["R1F", "RHU", "RNZ"], requesterRoles: clinical, modalities: ["CR", "CT", "DX", "MR", "NM", "PT", "US"], purposes: ["direct_care", "emergency", "mdt"], maxStudyAgeYears: 8, requiresRelationship: true, breakGlassAllowed: true },
          { effect: "deny", targetTrusts: ["R1F", "RHU", "RNZ"], requesterRoles: clinical, modalities: ["CR", "CT", "DX", "MR", "NM", "PT", "US"], purposes: ["research", "teaching"], maxStudyAgeYears: null, requiresRelationship: false, breakGlassAllowed: false },
        ],
      },
    ],
  },
  {
    source: "RHU",
    name: "Portsmouth cardiac and cancer MDT",
    description: "Imaging reviewed at the regional cardiac and cancer multidisciplinary team meetings.",
    versions: [
      {
        status: "active",
        effectiveFrom: "2025-06-01",
        changeNote: "First version.",
        rules: [
          { effect: "permit", targetTrusts: ["RHM", "RNZ"], requesterRoles: ["clinician", "mdt_coordinator", "radiologist"], modalities: ["CT", "MR", "NM", "PT", "XA"], purposes: ["mdt"], maxStudyAgeYears: null, requiresRelationship: false, breakGlassAllowed: false },
        ],
      },
      {
        status: "pending_approval",
        effectiveFrom: "2026-01-01",
        changeNote: "Adds the Isle of Wight to the MDT and allows clinical audit of MDT outcomes.",
        rules: [
          { effect: "permit", targetTrusts: ["R1F", "RHM", "RNZ"], requesterRoles: ["clinician", "mdt_coordinator", "radiologist"], modalities: ["CT", "MR", "NM", "PT", "XA"], purposes: ["clinical_audit", "mdt"], maxStudyAgeYears: null, requiresRelationship: false, breakGlassAllowed: false },
        ],
      },
    ],
  },
  {
    source: "R1F",
    name: "Isle of Wight emergency transfers",
    description: "Patients transferred to the mainland for specialist and emergency care.",
    versions: [
      {
        status: "active",
        effectiveFrom: "2025-02-01",
        changeNote: "First version.",
        rules: [
          { effect: "permit", targetTrusts: ["RHM", "RHU"], requesterRoles: [...clinical, "radiographer"], modalities: ["CR", "CT", "DX", "MR"], purposes: ["direct_care", "emergency"], maxStudyAgeYears: 5, requiresRelationship: true, breakGlassAllowed: true },
        ],
      },
    ],
  },
  {
    source: "RHM",
    name: "Southampton teaching file 2024",
    description: "Anonymised teaching cases for the 2024 registrar programme.",
    versions: [
      {
        status: "active",
        effectiveFrom: "2024-01-01",
        effectiveUntil: "2025-01-01",
        changeNote: "For the 2024 programme only; it expires at the end of the year.",
        rules: [
          { effect: "permit", targetTrusts: ["RHU"], requesterRoles: ["radiologist"], modalities: ["CT", "MR"], purposes: ["teaching"], maxStudyAgeYears: 5, requiresRelationship: false, breakGlassAllowed: false },
        ],
      },
    ],
  },
  {
    source: "RNZ",
    name: "Salisbury spinal centre research pilot",
    description: "MR of the Duke of Cornwall Spinal Treatment Centre for a Southampton research study.",
    versions: [
      {
        status: "revoked",
        effectiveFrom: "2025-03-01",
        changeNote: "Pilot for the spinal cord injury imaging study.",
        revokeReason: "The study's ethics approval was withdrawn; no further access.",
        rules: [
          { effect: "permit", targetTrusts: ["RHM"], requesterRoles: ["radiologist"], modalities: ["MR"], purposes: ["research"], maxStudyAgeYears: 3, requiresRelationship: false, breakGlassAllowed: false },
        ],
      },
    ],
  },
];

/** Two restricted patients (NHS numbers from the test range, valid under modulus 11). */
export const demoRestrictions = [
  { source: "RNZ", nhsNumber: "9990000042", reason: "safeguarding" as const, note: "Safeguarding case SG-2025-114" },
  { source: "RHM", nhsNumber: "9990000050", reason: "vip" as const, note: "High-profile patient; access by break-glass only" },
];
