/**
 * PostgreSQL text cannot hold a NUL character (U+0000): a string carrying one would reach the
 * database and fail there, as a 500 that names nothing. Input is checked for it before parsing, at
 * the doors every input comes through (a person's change, a machine's JSON body, a page's filters),
 * and refused with the place named.
 */
export const nulMessage = "must not contain a NUL character";

export const hasNoNul = (s: string): boolean => !s.includes("\u0000");

/** The path of every string holding a NUL character, in a form's fields or a JSON body. */
export function nulPaths(value: unknown, path: (string | number)[] = [], found: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === "string") {
    if (!hasNoNul(value)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulPaths(v, [...path, i], found));
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) nulPaths(v, [...path, k], found);
  }
  return found;
}
