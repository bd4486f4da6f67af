// Access-decision benchmark: Mosaic's engine in process against the same rules written as Cedar
// policies (@cedar-policy/cedar-wasm, policy set preparsed with preparsePolicySet), in one run, on
// the same request stream. Prints decisions per second, p50/p99 per decision, the ratio, and checks
// that both engines permit exactly the same requests. With BENCH_URL and BENCH_API_KEY it also
// measures POST /api/v1/access-decisions over HTTP.
//
//   npx tsx bench/decisions.ts                 (demo policy set and a large synthetic one)
//   BENCH_URL=http://127.0.0.1:3000 BENCH_API_KEY=$(cat .data/demo-api-key) npx tsx bench/decisions.ts
import { preparsePolicySet, statefulIsAuthorized, type Context } from "@cedar-policy/cedar-wasm/nodejs";
import { demoPolicies, demoRestrictions } from "../demo/demo-sharing";
import { compilePolicySet, decide, type DecisionRequest, type PolicyVersionInput, type RestrictionInput } from "../lib/sharing/engine";
import { clinicalRoles, purposes } from "@/lib/vocabulary";
import { seededRandom } from "../demo/random";

const now = new Date("2026-06-15T12:00:00Z");
const requestsPerRun = Number(process.env.BENCH_REQUESTS ?? 100_000);
const modalityList = ["CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF"];

// --- policy sets ------------------------------------------------------------------------------

function demoSet(): { versions: PolicyVersionInput[]; restrictions: RestrictionInput[]; trusts: string[] } {
  const versions = demoPolicies.flatMap((p, pi) =>
    p.versions.map((v, vi) => ({
      policyId: `00000000-0000-4000-8000-${String(pi * 10 + vi).padStart(12, "0")}`,
      policyName: p.name,
      version: vi + 1,
      sourceTrust: p.source,
      status: v.status,
      approvedBy: v.status === "pending_approval" ? null : "approver",
      effectiveFrom: new Date(`${v.effectiveFrom}T00:00:00Z`),
      effectiveUntil: v.effectiveUntil ? new Date(`${v.effectiveUntil}T00:00:00Z`) : null,
      rules: v.rules.map((r, k) => ({ ...r, id: `r${pi}-${vi}-${k}` })),
    })),
  );
  return { versions, restrictions: demoRestrictions.map((r) => ({ sourceTrust: r.source, nhsNumber: r.nhsNumber })), trusts: ["RHM", "RHU", "RNZ", "R1F"] };
}

const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)] as T;
const some = <T>(r: () => number, list: readonly T[], p: number) => {
  const out = list.filter(() => r() < p);
  return out.length ? out : [pick(r, list)];
};

/** A region of 40 trusts, each with 5 policies of 3 rules (600 rules), a fifth of them deny rules. */
function largeSet(): { versions: PolicyVersionInput[]; restrictions: RestrictionInput[]; trusts: string[] } {
  const r = seededRandom(42);
  const trusts = Array.from({ length: 40 }, (_, i) => `T${String(i).padStart(2, "0")}`);
  const versions: PolicyVersionInput[] = [];
  trusts.forEach((source, ti) => {
    for (let p = 0; p < 5; p++) {
      versions.push({
        policyId: `10000000-0000-4000-8000-${String(ti * 10 + p).padStart(12, "0")}`,
        policyName: `${source} policy ${p}`,
        version: 1,
        sourceTrust: source,
        status: p === 4 ? "pending_approval" : "active",
        approvedBy: p === 4 ? null : "approver",
        effectiveFrom: new Date("2025-01-01T00:00:00Z"),
        effectiveUntil: p === 3 ? new Date("2026-01-01T00:00:00Z") : null,
        rules: Array.from({ length: 3 }, (_, k) => {
          const deny = r() < 0.2;
          return {
            id: `${source}-${p}-${k}`,
            effect: deny ? ("deny" as const) : ("permit" as const),
            targetTrusts: some(r, trusts.filter((t) => t !== source), 0.3),
            requesterRoles: some(r, clinicalRoles, 0.5),
            modalities: some(r, modalityList, 0.5),
            purposes: deny ? some(r, ["research", "teaching"], 0.5) : some(r, ["direct_care", "mdt", "emergency", "clinical_audit"], 0.6),
            maxStudyAgeYears: r() < 0.5 ? 5 + Math.floor(r() * 10) : null,
            requiresRelationship: r() < 0.6,
            breakGlassAllowed: !deny && r() < 0.5,
          };
        }),
      });
    }
  });
  const restrictions = Array.from({ length: 200 }, (_, i) => ({ sourceTrust: pick(r, trusts), nhsNumber: String(9990000000 + i * 7) }));
  return { versions, restrictions, trusts };
}

function requestsFor(trusts: string[], restrictions: RestrictionInput[], n: number): DecisionRequest[] {
  const r = seededRandom(7);
  return Array.from({ length: n }, () => {
    const requesterTrust = pick(r, trusts);
    const sourceTrust = r() < 0.1 ? requesterTrust : pick(r, trusts);
    const restricted = r() < 0.05 && restrictions.length ? pick(r, restrictions) : null;
    const day = Math.floor(r() * 15 * 365);
    return {
      requester: { user: "someone@example", trust: requesterTrust, status: r() < 0.02 ? "left" : "active", roles: [pick(r, clinicalRoles)] },
      study: {
        sourceTrust: restricted ? restricted.sourceTrust : sourceTrust,
        modality: pick(r, modalityList),
        studyDate: new Date(now.getTime() - day * 86_400_000).toISOString().slice(0, 10),
        studyInstanceUid: "1.2.3",
        patientNhsNumber: restricted ? restricted.nhsNumber : "9990000018",
      },
      purpose: pick(r, purposes),
      patientEpisodeTrusts: r() < 0.7 ? [requesterTrust] : [],
      breakGlassJustification: r() < 0.1 ? "Emergency" : null,
    } satisfies DecisionRequest;
  });
}

// --- the same rules in Cedar ------------------------------------------------------------------

const str = (s: string) => JSON.stringify(s);
const set = (values: readonly string[]) => `[${values.map(str).join(", ")}]`;
const ymd = (d: string) => Number(d.replaceAll("-", ""));

/**
 * The policy set in Cedar. Requests carry their facts in the context; the engine's laws become:
 * requester checks and restrictions as forbid policies, deny rules as forbid, permit rules as
 * permit, and break-glass as permits that need context.breakGlass (waiving the relationship, and
 * the purpose in an emergency).
 */
function cedarPolicies(versions: PolicyVersionInput[]): string {
  const out: string[] = [
    `forbid (principal, action, resource) when { !context.active || context.roles.isEmpty() };`,
    `permit (principal, action, resource) when { context.requesterTrust == context.sourceTrust };`,
    `forbid (principal, action, resource) when { context.requesterTrust != context.sourceTrust && context.restricted && !context.breakGlass };`,
  ];
  for (const v of versions) {
    if (v.status !== "active" || v.approvedBy === null) continue;
    const from = Math.floor(v.effectiveFrom.getTime() / 1000);
    const until = v.effectiveUntil ? Math.floor(v.effectiveUntil.getTime() / 1000) : null;
    for (const rule of v.rules) {
      const base = [
        `context.sourceTrust == ${str(v.sourceTrust)}`,
        `${set(rule.targetTrusts)}.contains(context.requesterTrust)`,
        `${set(rule.requesterRoles)}.containsAny(context.roles)`,
        `${set(rule.modalities)}.contains(context.modality)`,
        `context.now >= ${from}`,
        ...(until === null ? [] : [`context.now < ${until}`]),
        ...(rule.maxStudyAgeYears === null ? [] : [`context.studyDate + ${rule.maxStudyAgeYears * 10000} >= context.today`]),
      ];
      const purpose = `${set(rule.purposes)}.contains(context.purpose)`;
      const relationship = rule.requiresRelationship ? ["context.hasRelationship"] : [];
      const effect = rule.effect === "deny" ? "forbid" : "permit";
      out.push(`${effect} (principal, action, resource) when { ${[...base, purpose, ...relationship].join(" && ")} };`);
      if (rule.effect === "permit" && rule.breakGlassAllowed) {
        out.push(`permit (principal, action, resource) when { ${[...base, `(${purpose} || context.purpose == "emergency")`, "context.breakGlass"].join(" && ")} };`);
      }
    }
  }
  return out.join("\n");
}

function cedarContext(req: DecisionRequest, restricted: Set<string>, nowDate: Date): Context {
  return {
    active: req.requester.status === "active",
    roles: [...req.requester.roles],
    requesterTrust: req.requester.trust,
    sourceTrust: req.study.sourceTrust,
    modality: req.study.modality,
    purpose: req.purpose,
    studyDate: ymd(req.study.studyDate),
    today: ymd(nowDate.toISOString().slice(0, 10)),
    now: Math.floor(nowDate.getTime() / 1000),
    hasRelationship: req.patientEpisodeTrusts.includes(req.requester.trust),
    restricted: restricted.has(`${req.study.sourceTrust}|${req.study.patientNhsNumber}`),
    breakGlass: Boolean(req.breakGlassJustification?.trim()),
  };
}

const principal = { type: "User", id: "requester" };
const action = { type: "Action", id: "view" };
const resource = { type: "Study", id: "study" };

// --- measuring --------------------------------------------------------------------------------

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Rate from an untimed loop, and per-call latencies from a timed one (hrtime around each call). */
function measure(name: string, n: number, call: (i: number) => unknown) {
  for (let i = 0; i < Math.min(n, 20_000); i++) call(i); // warm-up: JIT and caches
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) call(i);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    call(i);
    lat[i] = Number(process.hrtime.bigint() - s) / 1000;
  }
  lat.sort();
  return { name, rate: n / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? 0 };
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function run(label: string, data: ReturnType<typeof demoSet>) {
  const compiled = compilePolicySet(data.versions, data.restrictions);
  const requests = requestsFor(data.trusts, data.restrictions, requestsPerRun);
  const text = cedarPolicies(data.versions);
  const parsed = preparsePolicySet(label, { staticPolicies: text });
  if (parsed.type !== "success") throw new Error(`Cedar did not parse the policy set: ${JSON.stringify(parsed.errors).slice(0, 500)}`);
  const cedarCount = text.split("\n").length;

  // Both engines must permit exactly the same requests.
  const checkN = Math.min(requests.length, 5_000);
  let disagreements = 0;
  const outcomes = { permit: 0, deny: 0, break_glass_required: 0 };
  for (const req of requests.slice(0, checkN)) {
    const mine = decide(compiled, req, now);
    outcomes[mine.decision]++;
    const answer = statefulIsAuthorized({ principal, action, resource, context: cedarContext(req, compiled.restricted, now), preparsedPolicySetId: label, entities: [] });
    if (answer.type !== "success") throw new Error(`Cedar failed: ${JSON.stringify(answer.errors).slice(0, 300)}`);
    if ((answer.response.decision === "allow") !== (mine.decision === "permit")) disagreements++;
  }

  const ours = measure("Mosaic engine", requests.length, (i) => decide(compiled, requests[i] as DecisionRequest, now));
  // Cedar evaluates every policy of the set per request: fewer requests keep the run short.
  const cedarN = Math.min(requests.length, Number(process.env.BENCH_CEDAR_REQUESTS ?? (cedarCount > 100 ? 5_000 : 20_000)));
  const cedar = measure("Cedar (wasm, preparsed)", cedarN, (i) =>
    statefulIsAuthorized({ principal, action, resource, context: cedarContext(requests[i] as DecisionRequest, compiled.restricted, now), preparsedPolicySetId: label, entities: [] }),
  );

  console.log(`\n${label}: ${compiled.ruleCount} active rules (${cedarCount} Cedar policies), ${data.trusts.length} trusts, ${data.restrictions.length} restrictions; Cedar measured on ${cedarN.toLocaleString("en-GB")} requests`);
  console.log(`  answers on the first ${checkN.toLocaleString("en-GB")} requests: ${outcomes.permit} permit, ${outcomes.deny} deny, ${outcomes.break_glass_required} break-glass required; disagreements with Cedar on permit: ${disagreements}`);
  console.log(`  ${"engine".padEnd(26)} ${"decisions/s".padStart(14)} ${"p50 µs".padStart(9)} ${"p99 µs".padStart(9)} ${"max µs".padStart(10)}`);
  for (const m of [ours, cedar]) console.log(`  ${m.name.padEnd(26)} ${fmt(m.rate, 0).padStart(14)} ${fmt(m.p50, 2).padStart(9)} ${fmt(m.p99, 2).padStart(9)} ${fmt(m.max, 0).padStart(10)}`);
  const ratio = ours.rate / cedar.rate;
  console.log(`  ratio (Mosaic rate / Cedar rate): ${fmt(ratio)}x   targets: p99 < 20 µs ${ours.p99 < 20 ? "met" : "NOT met"}, ratio >= 10x ${ratio >= 10 ? "met" : "NOT met"}`);
  if (disagreements > 0) process.exitCode = 1;
  return { ours, cedar, ratio };
}

async function overHttp(url: string, key: string) {
  const data = demoSet();
  const reqs = requestsFor(data.trusts, data.restrictions, 2_000).map((r) => ({
    requester: { user: `radiologist@${r.requester.trust.toLowerCase()}.example`, trust: r.requester.trust },
    study: { sourceTrust: r.study.sourceTrust, modality: r.study.modality, studyDate: r.study.studyDate, studyInstanceUid: "1.2.826.0.1.3680043.8.498.1", patientNhsNumber: r.study.patientNhsNumber },
    purpose: r.purpose,
    patientEpisodeTrusts: r.patientEpisodeTrusts,
    breakGlassJustification: r.breakGlassJustification,
  }));
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
  const lat: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < reqs.length) {
        const body = reqs[next++];
        const s = performance.now();
        const res = await fetch(`${url}/api/v1/access-decisions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
        await res.arrayBuffer();
        if (!res.ok) failures++;
        lat.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(`\nHTTP ${url}/api/v1/access-decisions, ${reqs.length} single requests, concurrency ${concurrency}: ${fmt(reqs.length / seconds, 0)} requests/s, p50 ${fmt(lat[Math.floor(lat.length * 0.5)] ?? 0, 2)} ms, p99 ${fmt(lat[Math.floor(lat.length * 0.99)] ?? 0, 2)} ms, failures ${failures}`);
}

console.log(`Access decisions: ${requestsPerRun.toLocaleString("en-GB")} requests per run of Mosaic's engine, fewer for Cedar (printed); Node ${process.version}`);
run("demo policy set", demoSet());
run("large synthetic policy set", largeSet());
if (process.env.BENCH_URL && process.env.BENCH_API_KEY) await overHttp(process.env.BENCH_URL.replace(/\/$/, ""), process.env.BENCH_API_KEY);
