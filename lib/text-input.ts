import { maxJsonDepth } from "@/lib/limits";
import { forbiddenKeyMessage, isForbiddenKey } from "@/lib/untrusted-keys";

/**
 * Text that PostgreSQL cannot store exactly is refused at the doors every input comes through (a
 * person's change, a machine's JSON body, a page's filters), with its place named, before parsing:
 *   - NUL (U+0000): text cannot hold it; it would fail in the database, as a 500 naming nothing;
 *   - a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair): not a character, so no UTF-8
 *     encodes it; the driver would store U+FFFD instead while the audit chain hashed what was
 *     sent, and that event would fail verification for ever;
 *   - a byte-order mark (U+FEFF) at the very start: an artefact of a file, not content, and the
 *     embedded database's driver drops it when it reads the text back (its UTF-8 decoder strips a
 *     leading BOM), so the stored event would no longer hash as it did when it was chained.
 * Keys are text too: a member name with either is refused, and so is a name that reaches an
 * object's prototype (lib/untrusted-keys.ts). Nesting is bounded (the scan keeps its own stack,
 * so no body can overflow the call stack).
 */
export const unstorableTextMessage = "must not contain a NUL character or a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair), nor start with a byte-order mark (U+FEFF)";
export const unstorableKeyMessage = "is a member name with a NUL character or a lone UTF-16 surrogate";
export const tooDeepMessage = (maxDepth: number) => `is nested too deeply: at most ${maxDepth} levels of objects and arrays`;

// With the u flag a well-formed surrogate pair is one code point (not in Cs): only a lone
// surrogate matches \p{Cs}.
const unstorable = /[\u0000\p{Cs}]|^\uFEFF/u;

/** Can PostgreSQL store this text exactly, as it is (no NUL, no lone surrogate)? */
export const isStorableText = (s: string): boolean => !unstorable.test(s);

export type TextProblem = { path: (string | number)[]; message: string };

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Every place in a form's fields or a JSON body that cannot be taken as it is: a string or member
 * name PostgreSQL cannot store exactly, a forbidden member name, or nesting deeper than `maxDepth`
 * (the value itself is level 1). In document order; at most `limit` of them.
 */
export function textProblems(value: unknown, { maxDepth = maxJsonDepth, limit = 100 } = {}): TextProblem[] {
  const found: TextProblem[] = [];
  // Iterative: a body nested 100,000 deep is a 4xx here, never a stack overflow. An entry is a
  // value to look at, or a problem of a member name found in its place in the document.
  type Entry = { value: unknown; path: (string | number)[]; problem?: string };
  const stack: Entry[] = [{ value, path: [] }];
  while (stack.length > 0 && found.length < limit) {
    const { value: v, path, problem } = stack.pop()!;
    if (problem !== undefined) {
      found.push({ path, message: problem });
      continue;
    }
    if (typeof v === "string") {
      if (!isStorableText(v)) found.push({ path, message: unstorableTextMessage });
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const isArray = Array.isArray(v);
    if (!isArray && !isPlainObject(v)) continue;
    if (path.length >= maxDepth) {
      found.push({ path, message: tooDeepMessage(maxDepth) });
      continue;
    }
    const children: Entry[] = [];
    if (isArray) {
      v.forEach((item, i) => children.push({ value: item, path: [...path, i] }));
    } else {
      for (const key of Object.keys(v)) {
        const at = [...path, key];
        if (isForbiddenKey(key)) children.push({ value: undefined, path: at, problem: forbiddenKeyMessage });
        else if (!isStorableText(key)) children.push({ value: undefined, path: at, problem: unstorableKeyMessage });
        else children.push({ value: (v as Record<string, unknown>)[key], path: at });
      }
    }
    // Reversed onto the stack, so that problems come out in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return found.slice(0, limit);
}
