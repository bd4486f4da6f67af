import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { ImportForm } from "@/components/users/import-form";
import { canAnywhere } from "@/lib/auth/context";
import { requireContext } from "@/lib/identity/request";
import { importColumns, importMaxBytes, importMaxRows, importTooLargeMessage } from "@/lib/users/import";
import { commitImportAction, previewImportAction } from "../actions";

export const metadata: Metadata = { title: "Import users" };

export default async function ImportUsersPage() {
  const ctx = await requireContext();
  if (!canAnywhere(ctx, "roles.grant")) notFound();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/users" className="text-brand underline">
          Users
        </Link>{" "}
        / Import
      </nav>
      <PageHeader
        title="Import users from CSV"
        description="For an intake: new people are added and every row's role is granted. Nothing is imported until every row is right, and importing the same file again changes nothing."
      />
      <div className="mb-6 max-w-3xl rounded border border-line bg-white p-4">
        <h2 className="font-semibold">The file</h2>
        <p>
          A CSV file with a first line naming the columns <code className="font-mono">{importColumns.join(", ")}</code>. The first five except{" "}
          <code>department</code> are required; up to {importMaxRows.toLocaleString("en-GB")} rows.
        </p>
        <ul className="mt-2 list-disc pl-6 text-sm">
          <li>
            <code>role</code>: radiologist, reporting_radiographer, radiographer, clinician, mdt_coordinator (or a portal role you may grant).
          </li>
          <li>
            <code>trust</code>: the ODS code, for example RHU. <code>department</code>: its name exactly as on the trust&apos;s page.
          </li>
          <li>
            <code>valid_from</code>, <code>valid_until</code>: dates as 2026-08-05 or 05/08/2026; <code>valid_until</code> is the last day and may be empty.
          </li>
          <li>
            <code>job_role_code</code>: the NHS national RBAC code (for example R8000); empty takes the role&apos;s usual code.
          </li>
        </ul>
      </div>
      <ImportForm previewAction={previewImportAction} commitAction={commitImportAction} maxBytes={importMaxBytes} tooLargeMessage={importTooLargeMessage} />
    </>
  );
}
