/**
 * A PostgreSQL array literal of text values, passed as ONE query parameter and cast in SQL
 * (`${pgArray(ids)}::uuid[]`). Both drivers then send a plain string, so bulk inserts through
 * `unnest(...)` work the same on postgres.js and PGlite. Every element is quoted and escaped, so
 * no value can break out of its element; null becomes SQL NULL.
 */
export function pgArray(values: readonly (string | number | bigint | boolean | Date | null)[]): string {
  const items = values.map((v) => {
    if (v === null) return "NULL";
    const text = v instanceof Date ? v.toISOString() : String(v);
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}
