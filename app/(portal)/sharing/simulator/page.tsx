import { formatDate, londonToday } from "@/lib/calendar";
import type { Metadata } from "next";
import { decisionLabel, modalityLabel, purposeLabel, reasonLabel, roleLabel, ruleEffectLabel, userStatusLabel, versionStatusLabel } from "@/lib/labels";
import { SharingTabs } from "@/components/sharing/sharing-tabs";
import { Badge } from "@/components/ui/badge";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { PageHeader } from "@/components/ui/page-header";
import { requireContext } from "@/lib/identity/request";
import { AppError } from "@/lib/errors";
import { orNotFound } from "@/lib/pages";
import { sharingFormOptions } from "@/lib/sharing/queries";
import { simulate } from "@/lib/sharing/simulate";
import { purposes, clinicalRoles, modalities } from "@/lib/vocabulary";
import { formatDay } from "@/lib/calendar";
import { formatNhsNumber } from "@/lib/nhs-number";

export const metadata: Metadata = { title: "Access simulator" };

const decisionTone = { permit: "success", deny: "danger", break_glass_required: "warning" } as const;
const outcomeText = { applies: "Applies", break_glass_only: "Applies only by break-glass", does_not_apply: "Does not apply" } as const;
const conditionText = {
  window: "Effective window",
  target_trust: "Requester trust",
  role: "Role",
  modality: "Modality",
  study_age: "Study age",
  purpose: "Purpose",
  relationship: "Legitimate relationship",
} as const;

type Params = Record<string, string | string[] | undefined>;
const one = (p: Params, k: string) => (typeof p[k] === "string" ? (p[k] as string) : "");

export default async function SimulatorPage({ searchParams }: { searchParams: Promise<Params> }) {
  const ctx = await requireContext();
  const params = await searchParams;
  const { all } = await orNotFound(sharingFormOptions(ctx, "sharing.read"));
  const asked = Boolean(params.sourceTrust || params.studyInstanceUid);
  const values = {
    requesterEmail: one(params, "requesterEmail"),
    studyInstanceUid: one(params, "studyInstanceUid"),
    requesterTrust: one(params, "requesterTrust") || all[0]?.odsCode || "",
    requesterRole: one(params, "requesterRole") || "radiologist",
    sourceTrust: one(params, "sourceTrust") || all[1]?.odsCode || "",
    modality: one(params, "modality") || "MR",
    studyDate: one(params, "studyDate") || londonToday(),
    purpose: one(params, "purpose") || "direct_care",
    patientNhsNumber: one(params, "patientNhsNumber"),
    // Unticked until asked: a relationship the simulator assumed would permit rules that require one.
    hasEpisode: asked ? params.hasEpisode === "on" : false,
    breakGlassJustification: one(params, "breakGlassJustification"),
    at: one(params, "at"),
  };
  let result: Awaited<ReturnType<typeof simulate>> | null = null;
  let failure: AppError | null = null;
  if (asked) {
    try {
      result = await simulate(ctx, { ...values, hasEpisode: values.hasEpisode ? "on" : "" });
    } catch (error) {
      if (error instanceof AppError && error.code === "VALIDATION") failure = error;
      else throw error;
    }
  }
  const errors = failure?.details?.fieldErrors ?? {};
  const trustOptions = all.map((t) => ({ value: t.odsCode, label: `${t.odsCode} · ${t.name}` }));
  return (
    <>
      <PageHeader title="Access simulator" description="Ask whether someone may view a study, and read the answer with the reasons of every rule. The PACS gets the same answer from the API." />
      <SharingTabs current="/sharing/simulator" />
      <form aria-label="Question" className="mb-8 grid max-w-4xl gap-5 rounded border border-line bg-white p-4 md:grid-cols-2">
        {failure && (
          <div className="md:col-span-2">
            <FormMessage message={failure.message} />
          </div>
        )}
        <Input
          name="requesterEmail"
          label="A named person (optional)"
          hint="Their email. Their roles at the requester's trust, as Mosaic records them, are used instead of the role."
          type="email"
          value={values.requesterEmail}
          errors={errors.requesterEmail}
        />
        <Input
          name="studyInstanceUid"
          label="A study by its Study Instance UID (optional)"
          hint="Its trust, modality and date come from the exam record, its patient from the audit trail, instead of the fields below."
          value={values.studyInstanceUid}
          errors={errors.studyInstanceUid}
        />
        <Choice name="requesterTrust" label="Requester's trust" options={trustOptions} value={values.requesterTrust} errors={errors.requesterTrust} />
        <Choice name="requesterRole" label="Requester's role" options={clinicalRoles.map((r) => ({ value: r, label: roleLabel(r) }))} value={values.requesterRole} errors={errors.requesterRole} />
        <Choice name="sourceTrust" label="Trust that owns the study" options={trustOptions} value={values.sourceTrust} errors={errors.sourceTrust} />
        <Choice name="modality" label="Modality" options={modalities.map((m) => ({ value: m, label: `${m}: ${modalityLabel(m)}` }))} value={values.modality} errors={errors.modality} />
        <Input name="studyDate" label="Study date" type="date" value={values.studyDate} errors={errors.studyDate} />
        <Choice name="purpose" label="Purpose" options={purposes.map((p) => ({ value: p, label: purposeLabel(p) }))} value={values.purpose} errors={errors.purpose} />
        <Input name="patientNhsNumber" label="Patient's NHS number (optional)" hint="To check restrictions." value={values.patientNhsNumber} errors={errors.patientNhsNumber} />
        <Input name="at" label="As on (optional)" hint="Empty: now." type="date" value={values.at} errors={errors.at} />
        <div className="md:col-span-2">
          <label className="flex items-center gap-2">
            <input type="checkbox" name="hasEpisode" defaultChecked={values.hasEpisode} className="h-4 w-4" />
            The patient has an episode at the requester&apos;s trust
          </label>
        </div>
        <div className="md:col-span-2">
          <Input name="breakGlassJustification" label="Break-glass justification (optional)" value={values.breakGlassJustification} errors={errors.breakGlassJustification} />
        </div>
        <div>
          <button type="submit" className="rounded bg-brand px-4 py-2 font-semibold text-white">
            Ask
          </button>
        </div>
      </form>
      {result && (
        <section aria-labelledby="answer" data-testid="simulator-answer">
          <h2 id="answer" className="mb-2 flex items-center gap-3 text-2xl font-semibold">
            Answer: <Badge tone={decisionTone[result.explanation.decision.decision]}>{decisionLabel(result.explanation.decision.decision)}</Badge>
          </h2>
          <p className="mb-2 text-muted">
            As on {formatDate(result.at)}
            {result.explanation.decision.policy ? `, under policy version v${result.explanation.decision.policy.version}` : ""}
            {result.explanation.decision.breakGlass ? ", by break-glass (flagged for review)" : ""}.
          </p>
          {(result.person || result.study) && (
            <dl className="mb-4 grid max-w-4xl grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="simulator-asked">
              {result.person && (
                <>
                  <dt className="font-semibold">Person</dt>
                  <dd>
                    {result.person.email}
                    {result.person.status && result.person.status !== "active" ? ` (${userStatusLabel(result.person.status)})` : ""}:{" "}
                    {result.person.roles.length
                      ? `${result.person.roles.map((r) => roleLabel(r)).join(", ")} at ${values.requesterTrust}`
                      : `no role at ${values.requesterTrust} on that day`}
                  </dd>
                </>
              )}
              {result.study && (
                <>
                  <dt className="font-semibold">Study</dt>
                  <dd>
                    <span className="font-mono">{result.study.studyInstanceUid}</span>: {result.study.sourceTrust} {result.study.modality} of {formatDay(result.study.studyDate)}
                    {result.study.patientNhsNumber ? `, patient ${formatNhsNumber(result.study.patientNhsNumber)}` : ", patient not named in the audit trail"}
                  </dd>
                </>
              )}
            </dl>
          )}
          <ul className="mb-6 list-disc pl-6">
            {result.explanation.decision.reasons.map((r) => (
              <li key={r.code}>
                <span className="font-semibold">{reasonLabel(r.code)}</span>: {r.message}
              </li>
            ))}
          </ul>
          <h3 className="mb-2 text-xl font-semibold">Every rule of {result.study?.sourceTrust ?? values.sourceTrust}</h3>
          {result.explanation.rules.length === 0 && <p className="mb-4">No active rule of {result.study?.sourceTrust ?? values.sourceTrust} that you can read.</p>}
          {result.explanation.rules.map((rule) => (
            <div key={`${rule.policyId}-${rule.ruleId}`} className="mb-4 overflow-x-auto rounded border border-line bg-white">
              <table className="w-full text-left">
                <caption className="border-b border-line bg-canvas px-4 py-2 text-left">
                  <span className="font-semibold">
                    {rule.policyName} v{rule.version}, rule {rule.ruleIndex + 1} ({ruleEffectLabel(rule.effect).toLowerCase()})
                  </span>
                  : {outcomeText[rule.outcome]}
                </caption>
                <thead className="sr-only">
                  <tr>
                    <th scope="col">Condition</th>
                    <th scope="col">Met</th>
                    <th scope="col">Explanation</th>
                  </tr>
                </thead>
                <tbody>
                  {rule.checks.map((c) => (
                    <tr key={c.condition} className="border-b border-line last:border-0">
                      <th scope="row" className="w-1/5 px-4 py-1 font-normal text-muted">
                        {conditionText[c.condition]}
                      </th>
                      <td className={`w-24 px-4 py-1 font-semibold ${c.met ? "text-success" : "text-danger"}`}>{c.met ? "Met" : "Not met"}</td>
                      <td className="px-4 py-1">{c.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
          {result.explanation.inactiveVersions.length > 0 && (
            <>
              <h3 className="mb-2 text-xl font-semibold">Versions that never decide</h3>
              <ul className="list-disc pl-6">
                {result.explanation.inactiveVersions.map((v) => (
                  <li key={`${v.policyId}-${v.version}`}>
                    {v.policyName} v{v.version}: {versionStatusLabel(v.status).toLowerCase()}, so it permits nothing until approved.
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </>
  );
}

function Choice({ name, label, options, value, errors }: { name: string; label: string; options: { value: string; label: string }[]; value: string; errors?: string[] }) {
  return (
    <Field id={`sim-${name}`} label={label} errors={errors}>
      {(describedBy, invalid) => (
        <select id={`sim-${name}`} name={name} defaultValue={value} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass}>
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

function Input({ name, label, hint, value, errors, type = "text" }: { name: string; label: string; hint?: string; value: string; errors?: string[]; type?: string }) {
  return (
    <Field id={`sim-${name}`} label={label} hint={hint} errors={errors}>
      {(describedBy, invalid) => <input id={`sim-${name}`} name={name} type={type} defaultValue={value} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} />}
    </Field>
  );
}
