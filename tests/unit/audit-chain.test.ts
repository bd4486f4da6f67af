import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalEncode, chainedFieldNames, type ChainedFields } from "@/lib/audit/canonical";
import { chainHash, genesisHash } from "@/lib/audit/chain";

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const date = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true });
const json: fc.Arbitrary<unknown> = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const event: fc.Arbitrary<ChainedFields> = fc.record({
  id: fc.uuid(),
  chain: fc.oneof(fc.constant("consortium"), fc.uuid()),
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  occurredAt: date,
  recordedAt: date,
  action: fc.string({ minLength: 1 }),
  outcome: fc.constantFrom("success", "denied", "failure"),
  actorUserId: nullable(fc.uuid()),
  actorEmail: nullable(fc.emailAddress()),
  actorTrustId: nullable(fc.uuid()),
  actorRole: nullable(fc.string()),
  sourceTrustId: nullable(fc.uuid()),
  patientNhsNumber: nullable(fc.stringMatching(/^999\d{7}$/)),
  studyInstanceUid: nullable(fc.stringMatching(/^1\.2(\.\d{1,5}){1,8}$/)),
  accessionNumber: nullable(fc.string()),
  modality: nullable(fc.constantFrom("CT", "MR", "DX")),
  purpose: nullable(fc.constantFrom("direct_care", "mdt")),
  policyId: nullable(fc.uuid()),
  policyVersion: nullable(fc.integer({ min: 1, max: 1000 })),
  breakGlassJustification: nullable(fc.string()),
  ip: nullable(fc.ipV4()),
  workstation: nullable(fc.string()),
  targetType: nullable(fc.string()),
  targetId: nullable(fc.string()),
  details: json,
});

/** The same object with its keys in another order at every depth (as jsonb may return them). */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed + 1));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const keys = Object.keys(value);
    const order = seed % 2 === 0 ? keys.reverse() : [...keys.slice(seed % keys.length || 0), ...keys.slice(0, seed % keys.length || 0)];
    return Object.fromEntries(order.map((k) => [k, shuffleKeys((value as Record<string, unknown>)[k], seed + 1)]));
  }
  return value;
}

/** The encoding as first defined (JSON.stringify of a copy with sorted keys): stored chains were hashed with it. */
function referenceEncode(event: ChainedFields): string {
  const sortValue = (value: unknown): unknown => {
    if (value === undefined || value === null) return null;
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map(sortValue);
    if (typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) if ((value as Record<string, unknown>)[key] !== undefined) out[key] = sortValue((value as Record<string, unknown>)[key]);
      return out;
    }
    return value;
  };
  const fields: Record<string, unknown> = {};
  for (const name of [...chainedFieldNames].sort()) fields[name] = sortValue(event[name]);
  return JSON.stringify(fields);
}

describe("canonical encoding", () => {
  it("is exactly the encoding the stored chains were hashed with", () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(canonicalEncode(e)).toBe(referenceEncode(e));
      }),
    );
  });

  it("does not depend on key order at any depth", () => {
    fc.assert(
      fc.property(event, fc.nat(), (e, seed) => {
        expect(canonicalEncode(shuffleKeys(e, seed) as ChainedFields)).toBe(canonicalEncode(e));
      }),
    );
  });

  it("is the same after a trip through JSON (how the database hands details back)", () => {
    fc.assert(
      fc.property(event, (e) => {
        const back = { ...e, details: JSON.parse(JSON.stringify(e.details ?? null)) as unknown };
        expect(canonicalEncode(back)).toBe(canonicalEncode(e));
      }),
    );
  });

  it("treats an absent value as null", () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(canonicalEncode({ ...e, actorRole: undefined as unknown as null })).toBe(canonicalEncode({ ...e, actorRole: null }));
      }),
    );
  });
});

describe("hash chain", () => {
  it("changes the hash when any field changes", () => {
    fc.assert(
      fc.property(event, event, fc.constantFrom<keyof ChainedFields>("action", "outcome", "seq", "occurredAt", "actorEmail", "patientNhsNumber", "details"), (a, b, key) => {
        fc.pre(canonicalEncode({ ...a, [key]: b[key] }) !== canonicalEncode(a));
        expect(chainHash(genesisHash, { ...a, [key]: b[key] })).not.toBe(chainHash(genesisHash, a));
      }),
    );
  });

  it("links each event to the one before: changing an early event changes every later hash", () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 2, maxLength: 8 }), fc.nat(), (events, pick) => {
        const hashes = (list: ChainedFields[]) => {
          let prev = genesisHash;
          return list.map((e) => (prev = chainHash(prev, e)));
        };
        const original = hashes(events);
        const i = pick % events.length;
        const tampered = events.map((e, j) => (j === i ? { ...e, action: `${e.action}!` } : e));
        const after = hashes(tampered);
        expect(after.slice(0, i)).toEqual(original.slice(0, i));
        for (let j = i; j < events.length; j++) expect(after[j]).not.toBe(original[j]);
      }),
    );
  });

  it("is a 64-character hex SHA-256", () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(chainHash(genesisHash, e)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });
});
