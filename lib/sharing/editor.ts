// What the policy editor needs, in its own shape: the choices of each field, and a version's values.
import { londonDayOf } from "@/lib/calendar";
import { purposeLabels, purposes, type StoredRule, clinicalRoles, roleLabels, modalities } from "@/lib/vocabulary";

type Trust = { odsCode: string; name: string; status: string };

/** The editor's options: source trusts the caller manages, target trusts from the whole directory. */
export function editorOptions(all: readonly Trust[], mine: readonly Trust[]) {
  return {
    sourceTrusts: mine.map((t) => ({ value: t.odsCode, label: `${t.name} (${t.odsCode})` })),
    targetTrusts: all.filter((t) => t.status !== "offboarded").map((t) => ({ value: t.odsCode, label: `${t.odsCode} · ${t.name}` })),
    roles: clinicalRoles.map((r) => ({ value: r, label: roleLabels[r] })),
    modalities: modalities.map((m) => ({ value: m, label: m })),
    purposes: purposes.map((p) => ({ value: p, label: purposeLabels[p] })),
  };
}

/** A window's boundary as the London day it starts (the date input's YYYY-MM-DD). */
const day = (d: Date | null) => (d ? londonDayOf(d) : "");

/** A stored version as the editor's field values. */
export function editorValuesOf(v: { effectiveFrom: Date; effectiveUntil: Date | null; changeNote: string; rules: StoredRule[] }) {
  return {
    draft: {
      effectiveFrom: day(v.effectiveFrom),
      effectiveUntil: day(v.effectiveUntil),
      changeNote: v.changeNote,
      rules: v.rules.map((r) => ({ ...r, maxStudyAgeYears: r.maxStudyAgeYears === null ? "" : String(r.maxStudyAgeYears) })),
    },
  };
}
