// `npm run audit:verify`: walks every audit hash chain and names the first broken link, then checks
// every signed checkpoint (signature, and the event at its sequence number still has its hash).
//   --public-key <file>  the public key(s) to check checkpoints with: a JWK, an array of JWKs, or a
//                        checkpoint export; without it, the public half of the local signing key and
//                        those of the keys it replaced (AUDIT_RETIRED_PUBLIC_KEYS).
import fs from "node:fs";
import { sql } from "drizzle-orm";
import type { JWK } from "jose";
import { verifyCheckpoints } from "@/lib/audit/checkpoints";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { listChains, verifyChain } from "@/lib/audit/verify";
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

const database = openCliDatabase();
let broken = 0;
try {
  const chains = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
    return listChains(tx);
  });
  console.log(`Verifying ${chains.length} audit chains in the ${describeDatabase(database)}…`);
  for (const chain of chains) {
    const report = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('mosaic.scope_all', 'on', true)`);
      return verifyChain(tx, chain, (n) => process.stdout.write(`\r  ${chain}: ${n.toLocaleString("en-GB")} events checked`));
    });
    process.stdout.write("\r");
    if (report.ok) {
      console.log(`  ok      ${chain}: ${report.events.toLocaleString("en-GB")} events, head at ${report.headSeq}`);
    } else {
      broken++;
      console.log(`  BROKEN  ${chain}: ${report.firstBreak?.message} (first broken link at sequence ${report.firstBreak?.seq})`);
    }
  }
  console.log(broken === 0 ? "Every chain is intact." : `${broken} chain(s) broken.`);

  const keys = await checkpointKeys();
  if (!keys) {
    console.log("No checkpoint key here (AUDIT_SIGNING_KEY, .data/audit-signing-key or --public-key): signed checkpoints not checked.");
  } else {
    const report = await verifyCheckpoints(database.db, keys);
    for (const f of report.failures) console.log(`  BROKEN  checkpoint of ${f.chain} at sequence ${f.seq}: ${f.message}`);
    console.log(
      report.checked === 0
        ? "No signed checkpoints yet (npm run audit:checkpoint makes them)."
        : report.ok
          ? `Every signed checkpoint (${report.checked.toLocaleString("en-GB")}) holds.`
          : `${report.failures.length} of ${report.checked.toLocaleString("en-GB")} signed checkpoint(s) do not hold.`,
    );
    if (!report.ok) broken++;
  }
  process.exitCode = broken === 0 ? 0 : 1;
} finally {
  await database.close();
}
