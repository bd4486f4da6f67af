"use client";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import { SubmitButton, type FormAction } from "@/components/ui/form-fields";
import { FormMessage } from "@/components/ui/form-message";
import type { FormState } from "@/lib/forms";

type Option = { value: string; label: string };

type RuleValues = {
  id: string;
  effect: string;
  targetTrusts: string[];
  requesterRoles: string[];
  modalities: string[];
  purposes: string[];
  maxStudyAgeYears: string;
  requiresRelationship: boolean;
  breakGlassAllowed: boolean;
};

export type EditorValues = {
  policy?: { sourceTrust: string; name: string; description: string };
  draft: { effectiveFrom: string; effectiveUntil: string; changeNote: string; rules: RuleValues[] };
};

export type EditorOptions = {
  sourceTrusts: Option[];
  targetTrusts: Option[];
  roles: Option[];
  modalities: Option[];
  purposes: Option[];
};

const asArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
const asBool = (v: unknown) => v === true || v === "on" || v === "true";

/** Values echoed back by a failed action (strings and arrays from the form) in the editor's shape. */
function fromState(values: Record<string, unknown>, fallback: EditorValues): EditorValues {
  const policy = values.policy as Record<string, unknown> | undefined;
  const draft = (values.draft ?? {}) as Record<string, unknown>;
  const rules = Array.isArray(draft.rules) ? (draft.rules as Record<string, unknown>[]) : [];
  return {
    policy: policy ? { sourceTrust: String(policy.sourceTrust ?? ""), name: String(policy.name ?? ""), description: String(policy.description ?? "") } : fallback.policy,
    draft: {
      effectiveFrom: String(draft.effectiveFrom ?? ""),
      effectiveUntil: String(draft.effectiveUntil ?? ""),
      changeNote: String(draft.changeNote ?? ""),
      rules: rules.map((r) => ({
        id: String(r.id ?? newRuleId()),
        effect: String(r.effect ?? "permit"),
        targetTrusts: asArray(r.targetTrusts),
        requesterRoles: asArray(r.requesterRoles),
        modalities: asArray(r.modalities),
        purposes: asArray(r.purposes),
        maxStudyAgeYears: String(r.maxStudyAgeYears ?? ""),
        requiresRelationship: asBool(r.requiresRelationship),
        breakGlassAllowed: asBool(r.breakGlassAllowed),
      })),
    },
  };
}

/** A v4 UUID; randomUUID needs a secure context, getRandomValues does not. */
function newRuleId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function blankRule(): RuleValues {
  return { id: newRuleId(), effect: "permit", targetTrusts: [], requesterRoles: ["radiologist"], modalities: [], purposes: ["direct_care"], maxStudyAgeYears: "", requiresRelationship: true, breakGlassAllowed: false };
}

/** The policy editor: forms, not JSON. Creates a policy with its first draft, or edits a draft. */
export function PolicyEditor({ action, defaults, options, submitLabel }: { action: FormAction; defaults: EditorValues; options: EditorOptions; submitLabel: string }) {
  const [state, formAction] = useActionState(action, null);
  const values = state?.values ? fromState(state.values, defaults) : defaults;
  return <EditorBody key={JSON.stringify(state?.values ?? null)} formAction={formAction} state={state} values={values} options={options} submitLabel={submitLabel} />;
}

function EditorBody({
  formAction,
  state,
  values,
  options,
  submitLabel,
}: {
  formAction: (form: FormData) => void;
  state: FormState;
  values: EditorValues;
  options: EditorOptions;
  submitLabel: string;
}) {
  const [rules, setRules] = useState<RuleValues[]>(values.draft.rules.length ? values.draft.rules : [blankRule()]);
  const errors = state?.fieldErrors ?? {};
  return (
    <form action={formAction} noValidate className="flex max-w-4xl flex-col gap-6">
      <FormMessage message={state?.message} />
      {values.policy && (
        <fieldset className="flex flex-col gap-5 rounded border border-line bg-white p-4">
          <legend className="px-1 text-lg font-semibold">Policy</legend>
          <Select name="policy.sourceTrust" label="Source trust (the data controller)" options={options.sourceTrusts} value={values.policy.sourceTrust} errors={errors["policy.sourceTrust"]} />
          <Text name="policy.name" label="Policy name" hint="For example: Salisbury imaging for regional direct care." value={values.policy.name} errors={errors["policy.name"]} />
          <Text name="policy.description" label="Description (optional)" value={values.policy.description} errors={errors["policy.description"]} multiline />
        </fieldset>
      )}
      <fieldset className="flex flex-col gap-5 rounded border border-line bg-white p-4">
        <legend className="px-1 text-lg font-semibold">This version</legend>
        <div className="flex flex-wrap gap-6">
          <Text name="draft.effectiveFrom" label="In effect from" type="date" value={values.draft.effectiveFrom} errors={errors["draft.effectiveFrom"]} />
          <Text name="draft.effectiveUntil" label="Until (optional)" hint="Leave empty for no end date." type="date" value={values.draft.effectiveUntil} errors={errors["draft.effectiveUntil"]} />
        </div>
        <Text name="draft.changeNote" label="Note for the reviewer" hint="What changed and why." value={values.draft.changeNote} errors={errors["draft.changeNote"]} multiline />
      </fieldset>
      {errors["draft.rules"] && (
        <p className="font-semibold text-danger" role="alert">
          <span className="sr-only">Error: </span>
          {errors["draft.rules"].join(" ")}
        </p>
      )}
      {rules.map((rule, i) => (
        <RuleFieldset
          key={rule.id}
          index={i}
          rule={rule}
          options={options}
          errors={errors}
          canRemove={rules.length > 1}
          onRemove={() => setRules((list) => list.filter((r) => r.id !== rule.id))}
        />
      ))}
      <div className="flex flex-wrap gap-3">
        <Button type="button" variant="secondary" onClick={() => setRules((list) => [...list, blankRule()])}>
          Add a rule
        </Button>
        <SubmitButton>{submitLabel}</SubmitButton>
      </div>
    </form>
  );
}

function RuleFieldset({
  index,
  rule,
  options,
  errors,
  canRemove,
  onRemove,
}: {
  index: number;
  rule: RuleValues;
  options: EditorOptions;
  errors: Record<string, string[]>;
  canRemove: boolean;
  onRemove: () => void;
}) {
  const p = `draft.rules.${index}`;
  const [effect, setEffect] = useState(rule.effect);
  return (
    <fieldset className="flex flex-col gap-5 rounded border border-line bg-white p-4" data-testid={`rule-${index + 1}`}>
      <legend className="px-1 text-lg font-semibold">Rule {index + 1}</legend>
      <input type="hidden" name={`${p}.id`} value={rule.id} />
      <div className="flex flex-col gap-1">
        <label htmlFor={`${p}.effect`} className="font-semibold">
          Effect
        </label>
        <select id={`${p}.effect`} name={`${p}.effect`} value={effect} onChange={(e) => setEffect(e.target.value)} className={inputClass}>
          <option value="permit">Permit: these staff may view these images</option>
          <option value="deny">Deny: these staff may never view these images (overrides any permit)</option>
        </select>
      </div>
      <Checkboxes name={`${p}.targetTrusts`} legend="Requester trusts" hint="Staff of which trusts." options={options.targetTrusts} checked={rule.targetTrusts} errors={errors[`${p}.targetTrusts`]} />
      <Checkboxes name={`${p}.requesterRoles`} legend="Requester roles" options={options.roles} checked={rule.requesterRoles} errors={errors[`${p}.requesterRoles`] ?? errors[`${p}.requesterRoles.0`]} />
      <Checkboxes name={`${p}.modalities`} legend="Modalities" options={options.modalities} checked={rule.modalities} errors={errors[`${p}.modalities`] ?? errors[`${p}.modalities.0`]} />
      <Checkboxes name={`${p}.purposes`} legend="Purposes of use" options={options.purposes} checked={rule.purposes} errors={errors[`${p}.purposes`] ?? errors[`${p}.purposes.0`]} />
      <Text name={`${p}.maxStudyAgeYears`} label="Maximum study age in years (optional)" hint="Studies older than this are out of the rule; empty for any age." value={rule.maxStudyAgeYears} errors={errors[`${p}.maxStudyAgeYears`]} inputMode="numeric" />
      <Toggle name={`${p}.requiresRelationship`} label="Only when the patient has an episode at the requester's trust (legitimate relationship)" checked={rule.requiresRelationship} errors={errors[`${p}.requiresRelationship`]} />
      {effect === "permit" && (
        <Toggle name={`${p}.breakGlassAllowed`} label="Allow break-glass (emergency access with a justification, flagged for review)" checked={rule.breakGlassAllowed} errors={errors[`${p}.breakGlassAllowed`]} />
      )}
      {canRemove && (
        <div>
          <Button type="button" variant="quiet" onClick={onRemove}>
            Remove rule {index + 1}
          </Button>
        </div>
      )}
    </fieldset>
  );
}

function Text({
  name,
  label,
  hint,
  value,
  errors,
  type = "text",
  multiline = false,
  inputMode,
}: {
  name: string;
  label: string;
  hint?: string;
  value: string;
  errors?: string[];
  type?: string;
  multiline?: boolean;
  inputMode?: "numeric";
}) {
  return (
    <Field id={name} label={label} hint={hint} errors={errors}>
      {(describedBy, invalid) =>
        multiline ? (
          <textarea id={name} name={name} defaultValue={value} rows={3} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        ) : (
          <input id={name} name={name} type={type} defaultValue={value} inputMode={inputMode} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />
        )
      }
    </Field>
  );
}

function Select({ name, label, options, value, errors }: { name: string; label: string; options: Option[]; value: string; errors?: string[] }) {
  return (
    <Field id={name} label={label} errors={errors}>
      {(describedBy, invalid) => (
        <select id={name} name={name} defaultValue={value} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function Checkboxes({ name, legend, hint, options, checked, errors }: { name: string; legend: string; hint?: string; options: Option[]; checked: string[]; errors?: string[] }) {
  const errorId = errors?.length ? `${name}-error` : undefined;
  return (
    <fieldset aria-describedby={errorId} className={errors?.length ? "border-l-4 border-danger pl-3" : ""}>
      <legend className="font-semibold">{legend}</legend>
      {hint && <p className="text-sm text-muted">{hint}</p>}
      {errorId && (
        <p id={errorId} className="text-sm font-semibold text-danger">
          <span className="sr-only">Error: </span>
          {errors?.join(" ")}
        </p>
      )}
      <div className="mt-1 flex flex-wrap gap-x-5 gap-y-1">
        {options.map((o) => (
          <label key={o.value} className="flex items-center gap-2">
            <input type="checkbox" name={`${name}[]`} value={o.value} defaultChecked={checked.includes(o.value)} className="h-4 w-4" />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function Toggle({ name, label, checked, errors }: { name: string; label: string; checked: boolean; errors?: string[] }) {
  const errorId = errors?.length ? `${name}-error` : undefined;
  return (
    <div className={errors?.length ? "border-l-4 border-danger pl-3" : ""}>
      {errorId && (
        <p id={errorId} className="text-sm font-semibold text-danger">
          <span className="sr-only">Error: </span>
          {errors?.join(" ")}
        </p>
      )}
      <label className="flex items-center gap-2">
        <input type="checkbox" name={name} defaultChecked={checked} aria-describedby={errorId} className="h-4 w-4" />
        {label}
      </label>
    </div>
  );
}
