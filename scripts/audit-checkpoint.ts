// `npm run audit:checkpoint`: signs a checkpoint of every audit chain whose head moved since its
// last checkpoint (after walking the events since then), with the key in AUDIT_SIGNING_KEY or, for
// the demo, .data/audit-signing-key (made on first use).
//   --export <file>      also write every checkpoint as JSON an outside auditor checks offline
//   --public-key <file>  also write the public key (JWK) that checks the signatures
// Each checkpoint is published to the witness (AUDIT_WITNESS_DIR) before it counts. The serving
// process (npm start, or npm run jobs) does this every AUDIT_CHECKPOINT_SECONDS for the chains an
// ingest moved; this command is for a database whose server is stopped.
import fs from "node:fs";
import { exportCheckpoints } from "@/lib/audit/checkpoints";
import { demoSigningKeyFile, loadSigningKey } from "@/lib/audit/signing-key";
import { describeDatabase, openCliDatabase, signCheckpointsWithProgress } from "./cli-database";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (!value || value.startsWith("--")) {
    console.error(`${name} needs a file name.`);
    process.exit(2);
  }
  return value;
}

const exportFile = option("--export");
const publicKeyFile = option("--public-key");
let key;
try {
  key = await loadSigningKey({ create: true });
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (!key) process.exit(2);
console.log(`Signing key ${key.keyId} (${process.env.AUDIT_SIGNING_KEY ? "AUDIT_SIGNING_KEY" : `demo key in ${demoSigningKeyFile()}`}).`);

const database = await openCliDatabase();
let broken = 0;
try {
  console.log(`Checkpointing the audit chains in the ${describeDatabase(database)}…`);
  for (const run of await signCheckpointsWithProgress(database, key)) {
    if (run.status === "broken") broken++;
    const label = { signed: "signed ", unchanged: "same   ", empty: "empty  ", broken: "BROKEN ", busy: "busy   " }[run.status];
    console.log(`  ${label} ${run.chain}: ${run.message}`);
  }
  if (exportFile) {
    fs.writeFileSync(exportFile, `${JSON.stringify(await exportCheckpoints(database.db, key.verifyingJwks), null, 2)}\n`);
    console.log(`Wrote the checkpoints to ${exportFile}.`);
  }
  if (publicKeyFile) {
    fs.writeFileSync(publicKeyFile, `${JSON.stringify(key.publicJwk, null, 2)}\n`);
    console.log(`Wrote the public key to ${publicKeyFile}.`);
  }
  console.log(broken === 0 ? "Done." : `${broken} chain(s) not signed because they do not verify: run npm run audit:verify.`);
  process.exitCode = broken === 0 ? 0 : 1;
} finally {
  await database.close();
}
