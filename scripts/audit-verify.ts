// `npm run audit:verify`: walks every audit hash chain and names the first broken link.
import { sql } from "drizzle-orm";
import { listChains, verifyChain } from "@/lib/audit/verify";
import { describeDatabase, openCliDatabase } from "./cli-database";

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
  process.exitCode = broken === 0 ? 0 : 1;
} finally {
  await database.close();
}
