// `npm run audit:verify`: holds the database against the checkpoint witness (AUDIT_WITNESS_DIR:
// every witnessed checkpoint must still be in the database, the event at its sequence number must
// have its hash, the head must be at or beyond it), checks every signed checkpoint in the database,
// looks for chains that lost their head, and walks every audit hash chain from its first event to
// its head, naming the first broken link. The same verification as the verify page (verifyAuditTrail).
//   --public-key <file>  the public key(s) to check checkpoints with: a JWK, an array of JWKs, or a
//                        checkpoint export; without it, the public half of the local signing key and
//                        those of the keys it replaced (AUDIT_RETIRED_PUBLIC_KEYS).
import fs from "node:fs";
import type { JWK } from "jose";
import { verifyAuditTrail } from "@/lib/audit/checkpoints";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { configuredWitness } from "@/lib/audit/witness";
import { describeDatabase, openCliDatabase } from "./cli-database";

async function checkpointKeys(): Promise<JWK[] | null> {
  const i = process.argv.indexOf("--public-key");
  if (i >= 0) {
    const parsed = JSON.parse(fs.readFileSync(process.argv[i + 1] ?? "", "utf8")) as JWK | JWK[] | { publicKeys: JWK[] };
    return Array.isArray(parsed) ? parsed : "publicKeys" in parsed ? parsed.publicKeys : [parsed as JWK];
  }
  const key = await loadSigningKey({ create: false });
  return key ? key.verifyingJwks : null;
}

const database = await openCliDatabase();
try {
  const keys = await checkpointKeys();
  const witness = configuredWitness();
  console.log(`Verifying the audit trail in the ${describeDatabase(database)} against ${witness.description}…`);
  if (!keys) console.log("No checkpoint key here (AUDIT_SIGNING_KEY, .data/audit-signing-key or --public-key): the witness and the signed checkpoints are not checked.");
  const report = await verifyAuditTrail(database.db, {
    publicJwks: keys,
    witness,
    mode: "full",
    onProgress: (chain, n) => process.stdout.write(`\r  ${chain}: ${n.toLocaleString("en-GB")} events checked`),
  });
  process.stdout.write("\r");
  for (const c of report.chains) {
    if (c.ok) console.log(`  ok      ${c.chain}: ${c.events.toLocaleString("en-GB")} events, head at ${c.headSeq}`);
    else console.log(`  BROKEN  ${c.chain}: ${c.firstBreak?.message} (first broken link at sequence ${c.firstBreak?.seq})`);
  }
  for (const v of report.vanished) console.log(`  BROKEN  ${v.chain}: ${v.message}`);
  const broken = report.chains.filter((c) => !c.ok).length + report.vanished.length;
  console.log(broken === 0 ? `Every chain is intact (${report.chains.length}).` : `${broken} chain(s) broken.`);
  if (report.witness) {
    for (const f of report.witness.failures) console.log(`  BROKEN  witnessed checkpoint of ${f.chain} at sequence ${f.seq}: ${f.message}`);
    console.log(
      report.witness.witnessed === 0
        ? `The witness holds no checkpoints yet (${report.witness.description}).`
        : report.witness.ok
          ? `Every witnessed checkpoint (${report.witness.witnessed.toLocaleString("en-GB")}) holds in the database.`
          : `The database does not hold what the witness holds (${report.witness.failures.length} problem(s)).`,
    );
  }
  if (report.checkpoints) {
    for (const f of report.checkpoints.failures) console.log(`  BROKEN  checkpoint of ${f.chain} at sequence ${f.seq}: ${f.message}`);
    console.log(
      report.checkpoints.checked === 0
        ? "No signed checkpoints in the database yet (npm start signs them as events arrive; npm run audit:checkpoint while it is stopped)."
        : report.checkpoints.ok
          ? `Every signed checkpoint in the database (${report.checkpoints.checked.toLocaleString("en-GB")}) holds.`
          : `${report.checkpoints.failures.length} of ${report.checkpoints.checked.toLocaleString("en-GB")} signed checkpoint(s) do not hold.`,
    );
  }
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}
