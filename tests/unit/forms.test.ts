import { describe, expect, it } from "vitest";
import { nestedFormFields } from "@/lib/forms";

describe("nestedFormFields", () => {
  it("builds objects and arrays from dotted names, collecting repeated fields marked []", () => {
    const form = new FormData();
    form.append("policy.name", "Regional");
    form.append("draft.rules.0.id", "a");
    form.append("draft.rules.0.modalities[]", "CT");
    form.append("draft.rules.0.modalities[]", "MR");
    form.append("draft.rules.2.id", "c");
    form.append("draft.rules.2.purposes[]", "mdt");
    form.append("$ACTION_ID_x", "");
    expect(nestedFormFields(form)).toEqual({
      policy: { name: "Regional" },
      draft: { rules: [{ id: "a", modalities: ["CT", "MR"] }, { id: "c", purposes: ["mdt"] }] },
    });
  });
});
