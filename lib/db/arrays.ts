/**
 * A PostgreSQL array literal of text values, passed as ONE query parameter and cast in SQL
 * (`${pgArray(ids)}::uuid[]`): postgres.js then sends one plain string, whatever the element type,
 * for bulk inserts through `unnest(...)`. Every element is quoted and escaped, so no value can
 * break out of its element; null becomes SQL NULL.
 */
export function pgArray(values: readonly (string | number | bigint | boolean | Date | null)[]): string {
  const items = values.map((v) => {
    if (v === null) return "NULL";
    const text = v instanceof Date ? v.toISOString() : String(v);
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}
