// Everything the audit API accepts, once stored, verifies: the hash of what the database gives
// back equals the hash computed at ingest. Random text in every free-text field (any UTF-16 code
// units, so lone surrogates too, which PostgreSQL would store as U+FFFD while the chain hashed
// what was sent) and random valid times at any precision, through the JSON door and the FHIR one.
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { fhirContentType, toFhirAuditEvent } from "@/lib/audit/fhir";
import { verifyChain } from "@/lib/audit/verify";
import { testDatabase } from "../helpers/database";
import { accessEventBody, makeApiKey } from "../helpers/api";
import { makeTrust, makeUser, ownerQuery, type TestTrust } from "../helpers/factories";

let source: TestTrust;
let actor: TestTrust;
let key: string;
let radiologist: string;

beforeAll(async () => {
  source = await makeTrust();
  actor = await makeTrust();
  key = await makeApiKey(["audit:write"]);
  radiologist = (await makeUser([{ role: "radiologist", trustId: actor.id }])).email;
});

// Any UTF-16 code unit (lone surrogates included).
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
// Mostly well-formed text (any code point, and characters COPY and JSON escape); one string in four
// of any code units, so that lone surrogates come up often but most batches are still accepted.
const wellFormed = fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), fc.constantFrom("\\", "\t", "\n", "\r", '"', "\\.", "é", "\ud83d\ude00", "\u0001", "\u007f", "\ufeff", " "));
const text = (minLength: number, maxLength: number) =>
  fc.oneof({ weight: 3, arbitrary: fc.string({ unit: wellFormed, minLength, maxLength }) }, { weight: 1, arbitrary: fc.string({ unit: codeUnit, minLength, maxLength }) });

/** A time between 1990 and now, written with a random offset and 0 to 9 fractional digits. */
const time = fc
  .record({
    at: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.now() - 60_000 }),
    offsetMinutes: fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15),
    digits: fc.integer({ min: 0, max: 9 }),
    fraction: fc.nat({ max: 999_999_999 }),
  })
  .map(({ at, offsetMinutes, digits, fraction }) => {
    const local = new Date(at + offsetMinutes * 60_000).toISOString().slice(0, 19);
    const frac = digits ? `.${String(fraction).padStart(9, "0").slice(0, digits)}` : "";
    const sign = offsetMinutes < 0 ? "-" : "+";
    const abs = Math.abs(offsetMinutes);
    const offset = offsetMinutes === 0 && digits % 2 ? "Z" : `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
    return `${local}${frac}${offset}`;
  });

const event = fc.record({
  occurredAt: time,
  workstation: fc.option(text(0, 200), { nil: null }),
  accessionNumber: fc.option(text(1, 16), { nil: null }),
  breakGlassJustification: fc.option(text(10, 300), { nil: null }),
  ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: null }),
});
type Generated = typeof event extends fc.Arbitrary<infer T> ? T : never;

function bodyOf(e: Generated) {
  return accessEventBody(
    { user: radiologist, actorTrust: actor.odsCode, sourceTrust: source.odsCode },
    {
      occurredAt: e.occurredAt,
      study: { studyInstanceUid: "1.2.826.0.1.3680043.8.498.7", accessionNumber: e.accessionNumber, sourceTrust: source.odsCode, modality: "CT" },
      breakGlassJustification: e.breakGlassJustification,
      ...(e.breakGlassJustification ? { purpose: "emergency", policy: null } : {}),
      source: e.ip === null && e.workstation === null ? null : { ip: e.ip, workstation: e.workstation },
    },
  );
}

const stored = async () => (await ownerQuery<{ n: number }>(sql`select count(*)::int as n from audit_events where chain = ${source.id}`))[0]?.n ?? 0;

async function send(events: ReturnType<typeof bodyOf>[], asFhir: boolean): Promise<Response> {
  const body = asFhir
    ? { resourceType: "Bundle", type: "batch", entry: events.map((e) => ({ resource: toFhirAuditEvent(e), request: { method: "POST", url: "AuditEvent" } })) }
    : { events };
  return POST(
    new Request("http://test/api/v1/audit-events", {
      method: "POST",
      headers: { "content-type": asFhir ? fhirContentType : "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );
}

describe("audit events: what is accepted, once stored, verifies", () => {
  it.each([
    ["Mosaic JSON", false],
    ["FHIR", true],
  ])("through the %s door, for random text in every free-text field and times at any precision", async (_door, asFhir) => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 4 }), async (generated) => {
        const events = generated.map(bodyOf);
        const before = await stored();
        const res = await send(events, asFhir);
        const answer = await res.text();
        expect(res.status, answer.slice(0, 500)).toBeLessThan(500);
        if (res.status !== 200) {
          // Refused: said where, and nothing stored.
          expect(res.status, answer.slice(0, 500)).toBe(422);
          expect(await stored()).toBe(before);
          return;
        }
        expect(JSON.parse(answer)).toEqual({ accepted: events.length, duplicates: 0 });
        const report = await verifyChain(testDatabase().db, source.id);
        expect(report.firstBreak, JSON.stringify(report.firstBreak)).toBeNull();
        expect(report.ok).toBe(true);
      }),
      { numRuns: 40, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    // Some of what was generated is accepted: the property is not met by refusing everything.
    expect(await stored()).toBeGreaterThan(0);
  });

  it("refuses a lone surrogate in each free-text field, naming it, rather than storing what will not verify", async () => {
    const base = { occurredAt: "2026-05-01T10:30:00.123456+01:00", workstation: "WS", accessionNumber: "ACC", breakGlassJustification: null, ip: null };
    for (const [field, e, asFhir, named] of [
      ["workstation", { ...base, workstation: "QAH\ud800" }, false, "source.workstation"],
      ["accessionNumber", { ...base, accessionNumber: "\udc00A" }, false, "study.accessionNumber"],
      ["breakGlassJustification", { ...base, breakGlassJustification: "Trauma call \ud83d in ED" }, false, "breakGlassJustification"],
      ["who.display", { ...base, workstation: "\udfffWS" }, true, "agent.3.who.display"],
      ["detail AccessionNumber", { ...base, accessionNumber: "A\ud800" }, true, "entity.1.detail.0.valueString"],
    ] as const) {
      const before = await stored();
      const res = await send([bodyOf(e)], asFhir);
      expect(res.status, field).toBe(422);
      const body = (await res.json()) as { error: { details: { issues: { field: string }[] } } };
      expect(body.error.details.issues.map((i) => i.field), field).toContain(named);
      expect(await stored()).toBe(before);
    }
  });
});
