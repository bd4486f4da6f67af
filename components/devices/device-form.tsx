"use client";
import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SelectField, SubmitButton, TextField, type FormAction } from "@/components/ui/form-fields";
import { modalityLabels } from "@/lib/labels";
import { deviceKindLabels } from "@/lib/vocabulary";

/** Registers or edits a DICOM device: its AE title, where it is, what it is and how it is reached. */
export function DeviceForm({
  action,
  defaults,
  sites,
  departments,
  isNew,
}: {
  action: FormAction;
  defaults: Record<string, unknown>;
  sites: { id: string; name: string; code: string }[];
  departments: { id: string; siteId: string; name: string }[];
  isNew: boolean;
}) {
  const [state, formAction] = useActionState(action, null);
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  return (
    <form action={formAction} key={JSON.stringify(state?.values ?? null)} noValidate className="flex max-w-xl flex-col gap-5">
      <FormMessage message={state?.message} />
      <TextField
        name="aeTitle"
        label="AE title"
        hint="The device's DICOM Application Entity title: up to 16 characters, no backslash, unique in the consortium. For example RHM_CT2."
        state={state}
        defaults={defaults}
      />
      <SelectField
        name="kind"
        label="Kind of device"
        options={[{ value: "", label: "Choose a kind" }, ...Object.entries(deviceKindLabels).map(([value, label]) => ({ value, label }))]}
        state={state}
        defaults={defaults}
      />
      <SelectField
        name="modality"
        label="Modality (required for a scanner)"
        options={[{ value: "", label: "None" }, ...Object.entries(modalityLabels).map(([value, label]) => ({ value, label: `${value} · ${label}` }))]}
        state={state}
        defaults={defaults}
      />
      <SelectField
        name="siteId"
        label="Site"
        options={[{ value: "", label: "Choose a site" }, ...sites.map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))]}
        state={state}
        defaults={defaults}
      />
      <SelectField
        name="departmentId"
        label="Department (optional, at the same site)"
        options={[{ value: "", label: "None" }, ...departments.map((d) => ({ value: d.id, label: `${d.name} (${siteCode.get(d.siteId) ?? ""})` }))]}
        state={state}
        defaults={defaults}
      />
      <TextField name="host" label="Host (optional)" hint="Its host name or IP address, for example ct1.example.nhs.uk or 10.20.30.40." state={state} defaults={defaults} />
      <TextField name="description" label="Description (optional)" hint="Make and model, room, or what it is used for." state={state} defaults={defaults} />
      <div>
        <SubmitButton>{isNew ? "Register device" : "Save device"}</SubmitButton>
      </div>
    </form>
  );
}

/** Confirms that a device is taken out of service. */
export function RetireDeviceForm({ action, aeTitle }: { action: FormAction; aeTitle: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex max-w-xl flex-col gap-4">
      <FormMessage message={state?.message} />
      <p>
        Studies from <strong className="font-mono">{aeTitle}</strong> will no longer be attributed to this trust, and its AE title can then be given to
        another device. The device and what it stored stay in the records.
      </p>
      <div>
        <SubmitButton pendingLabel="Retiring…">Retire device</SubmitButton>
      </div>
    </form>
  );
}
