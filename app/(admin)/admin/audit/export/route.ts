import { redirect } from "next/navigation";
import { auditCsv } from "@/lib/admin/audit";
import { csvDownload } from "@/lib/http/csv-download";
import { requireAdminPage } from "@/lib/web/admin";
import { filterQuery, readAuditFilters } from "../filters";

export const dynamic = "force-dynamic";

/**
 * The audit log page's "Download as CSV": the same filtered rows, every page of them, as a file,
 * with the browser's session. Let in as the pages are (sign in first, 404 for anyone but an admin);
 * filters it cannot read go back to the page, which says what is wrong with them.
 */
export async function GET(request: Request): Promise<Response> {
  const session = await requireAdminPage("/admin/audit");
  const filters = readAuditFilters(new URL(request.url).searchParams);
  if (!filters.query) redirect(`/admin/audit${filterQuery(filters.raw)}`);
  const { cursor: _page, ...filter } = filters.query;
  return csvDownload(auditCsv(session, filter), "audit.csv");
}
