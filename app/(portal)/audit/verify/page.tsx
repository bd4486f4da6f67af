import type { Metadata } from "next";
import { AuditSubnav } from "@/components/audit/audit-subnav";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { SubmitButton } from "@/components/ui/form-fields";
import { PageHeader } from "@/components/ui/page-header";
import { chainState, fullWalkLimit, recentVerifications, verificationSize, type VerifyRun } from "@/lib/audit/verify-runs";
import { requireContext } from "@/lib/identity/request";
import { auditSectionsFor } from "@/lib/nav";
import { orNotFound } from "@/lib/pages";
import { runVerificationAction } from "./actions";
import { formatDateTime } from "@/lib/calendar";
import { plural } from "@/lib/format";

export const metadata: Metadata = { title: "Verify the audit trail" };

const when = (d: Date | string) => formatDateTime(d, { seconds: true });

/** A run's outcome in a sentence: broken chains first, then chains too long to walk here. */
function outcomeOf(run: VerifyRun): { text: string; tone: "success" | "warning" | "danger" } {
  const states = run.chains.map(chainState);
  const broken = states.filter((s) => s === "broken").length;
  const notWalked = states.filter((s) => s === "not_walked").length;
  if (broken) return { text: `${plural(broken, "chain")} broken.`, tone: "danger" };
  if (run.checkpoints && !run.checkpoints.ok) return { text: "The database no longer holds what was signed and witnessed: see the checkpoints below.", tone: "danger" };
  if (notWalked) return { text: `${plural(notWalked, "chain")} not verified: too many events since their latest checkpoint to walk here.`, tone: "warning" };
  return { text: `Every chain is intact (${plural(run.chains.length, "chain")} checked).`, tone: "success" };
}
const borders = { success: "border-success", warning: "border-warning", danger: "border-danger" } as const;

function LatestOutcome({ run }: { run: VerifyRun }) {
  const { text, tone } = outcomeOf(run);
  return <p role="status" className={`mb-3 border-l-4 bg-white p-3 font-semibold ${borders[tone]}`}>{text}</p>;
}

export default async function VerifyPage() {
  const ctx = await requireContext();
  const [runs, size] = await orNotFound(Promise.all([recentVerifications(ctx), verificationSize(ctx)]));
  const [latest, ...earlier] = runs;
  return (
    <>
      <PageHeader
        title="Verify the audit trail"
        description="Each trust's events form a SHA-256 hash chain, and its head is signed within seconds of each change with a key kept outside the database, and published to a witness outside the database. Verifying holds the database against the witness, checks every signed checkpoint of your chains, walks each chain from its latest witnessed checkpoint to its newest event, and names the first event that was altered, deleted or inserted out of order."
      />
      <AuditSubnav current="/audit/verify" sections={auditSectionsFor(ctx)} />
      <div className="mb-2 flex flex-wrap items-center gap-4">
        <form action={runVerificationAction}>
          <input type="hidden" name="mode" value="since_checkpoint" />
          <SubmitButton pendingLabel="Verifying…">Verify now</SubmitButton>
        </form>
        {size.canWalkAll && (
          <form action={runVerificationAction}>
            <input type="hidden" name="mode" value="full" />
            <SubmitButton variant="secondary" pendingLabel="Walking every event…">
              Walk every event from the first
            </SubmitButton>
          </form>
        )}
        <a href="/audit/verify/checkpoints.json" download className="text-brand underline">
          Download signed checkpoints (JSON, for an outside auditor)
        </a>
      </div>
      <p className="mb-6 max-w-3xl text-sm text-muted">
        Your chains hold {plural(size.events, "event")}. Events before a checkpoint were walked when it was signed.
        {size.canWalkAll
          ? " Walking every event from the first also catches an older event edited in place since."
          : ` Walking every event from the first takes minutes at more than ${fullWalkLimit.toLocaleString("en-GB")} events: run npm run audit:verify on the server, which shows its progress.`}
      </p>
      {!latest ? (
        <EmptyState title="Not verified yet">Run a verification to check the chains.</EmptyState>
      ) : (
        <section aria-labelledby="latest-heading" className="mb-8">
          <h2 id="latest-heading" className="mb-2 text-xl font-bold">
            Latest run: {when(latest.at)} by {latest.by}
          </h2>
          <LatestOutcome run={latest} />
          <DataTable
            caption="Chains checked in the latest run"
            rows={latest.chains}
            rowKey={(c) => c.chain}
            empty="No chain was checked in this run"
            columns={[
              { header: "Chain", rowHeader: true, cell: (c) => c.label },
              {
                header: "Result",
                cell: (c) => ({ intact: <Badge tone="success">intact</Badge>, broken: <Badge tone="danger">broken</Badge>, not_walked: <Badge tone="warning">not verified</Badge> })[chainState(c)],
              },
              {
                header: "Events walked",
                numeric: true,
                cell: (c) => (
                  <>
                    {c.events.toLocaleString("en-GB")}
                    <div className="text-muted">{c.from ? `after checkpoint at ${c.from.toLocaleString("en-GB")}` : "from the first event"}</div>
                  </>
                ),
              },
              {
                header: "First broken link",
                cell: (c) =>
                  c.notWalked !== undefined ? (
                    <>
                      {plural(c.notWalked, "event")} since {c.from ? `its checkpoint at ${c.from.toLocaleString("en-GB")}` : "its first (no witnessed checkpoint yet)"}: more than a page
                      walks. Run npm run audit:verify on the server.
                    </>
                  ) : c.firstBreak ? (
                    <>
                      <div>{c.firstBreak.message}</div>
                      <div className="text-muted">
                        position {c.firstBreak.seq}
                        {c.firstBreak.eventId ? ` · event ${c.firstBreak.eventId}` : ""}
                      </div>
                    </>
                  ) : (
                    "—"
                  ),
              },
            ]}
          />
          <h3 className="mb-2 mt-6 text-lg font-bold">Signed checkpoints</h3>
          {!latest.checkpoints ? (
            <p>No checkpoint signing key is set up here yet (npm start signs the first checkpoints).</p>
          ) : (
            <>
              <p className={`mb-2 border-l-4 bg-white p-3 ${latest.checkpoints.ok ? "border-success" : "border-danger font-semibold"}`}>
                {latest.checkpoints.ok
                  ? `Every signed checkpoint of your chains still matches its event${latest.checkpoints.witnessed !== undefined ? ", and the database holds every checkpoint the witness holds" : ""} (${plural(latest.checkpoints.latest.length, "chain")} checkpointed).`
                  : `${plural(latest.checkpoints.failures.length, "problem")}: checkpoints deleted, or a chain rewritten or cut short after it was signed.`}
              </p>
              {latest.checkpoints.failures.length > 0 && (
                <ul className="mb-2 list-disc pl-6">
                  {latest.checkpoints.failures.map((f, i) => (
                    <li key={`${f.chain}-${f.seq}-${i}`}>{f.message}</li>
                  ))}
                </ul>
              )}
              {latest.checkpoints.latest.length > 0 && (
                <ul className="list-disc pl-6 text-sm">
                  {latest.checkpoints.latest.map((c) => (
                    <li key={c.chain}>
                      {c.label}: signed and witnessed up to position {c.seq.toLocaleString("en-GB")} on {when(c.signedAt)}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </section>
      )}
      {earlier.length > 0 && (
        <section aria-labelledby="earlier-heading">
          <h2 id="earlier-heading" className="mb-2 text-xl font-bold">Earlier runs</h2>
          <ul className="list-disc pl-6">
            {earlier.map((r) => (
              <li key={r.id}>
                {when(r.at)} by {r.by}: {outcomeOf(r).text}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
