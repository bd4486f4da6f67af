import { inputClass } from "./field";

/** A labelled select of a GET filter form; the first option ("Any" by default) clears it. */
export function FilterSelect({
  name,
  label,
  value,
  options,
  anyLabel = "Any",
}: {
  name: string;
  label: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
  anyLabel?: string | null;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={name} className="font-semibold">
        {label}
      </label>
      <select id={name} name={name} defaultValue={value ?? ""} className={inputClass}>
        {anyLabel !== null && <option value="">{anyLabel}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text or date input of a GET filter form. */
export function FilterInput({ name, label, value, type = "text" }: { name: string; label: string; value: string | undefined; type?: "text" | "date" | "search" }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={name} className="font-semibold">
        {label}
      </label>
      <input id={name} name={name} type={type} defaultValue={value ?? ""} className={inputClass} />
    </div>
  );
}
