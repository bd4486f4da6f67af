/**
 * Names that reach an object's prototype when used as a key: `obj["__proto__"] = …` replaces or
 * writes through the prototype, and `constructor.prototype` reaches Object.prototype itself. No
 * field of Mosaic is called any of these, so a key from outside (a form field's name or one of its
 * path segments, a JSON member, a CSV header, a query-string parameter) that is one of them is
 * refused at the door where it came in, with its place named, before anything is built from it.
 */
const forbiddenKeys: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export const forbiddenKeyMessage = "is a reserved name (__proto__, constructor and prototype are refused)";

/** Is this key, from outside, one that must never become a property name? */
export function isForbiddenKey(key: string): boolean {
  return forbiddenKeys.has(key);
}
