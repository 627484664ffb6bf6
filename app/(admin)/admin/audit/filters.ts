import type { AuditQuery } from "@/lib/admin/audit";
import { AdminAuditQuery } from "@/lib/api/requests";

/** The audit log's filters as the page's GET form and its CSV link carry them in the URL. */
export const FILTER_FIELDS = ["user", "type", "since", "until"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface AuditFilters {
  /** What the visitor wrote, field by field (empty when left out), to fill the form again. */
  raw: Record<FilterField | "cursor", string>;
  /** The query for the service, or null when a field could not be read. */
  query: AuditQuery | null;
  /** The fields that could not be read. */
  invalid: Array<FilterField | "cursor">;
}

/**
 * Reads the filters with the API's own query schema (lib/api/requests.ts), so that the page, its
 * CSV export and GET /auth/admin/audit/ accept exactly the same times, ids and types.
 */
export function readAuditFilters(params: URLSearchParams): AuditFilters {
  const raw = Object.fromEntries([...FILTER_FIELDS, "cursor" as const].map((field) => [field, params.get(field)?.trim() ?? ""])) as AuditFilters["raw"];
  // An empty field of the form is no filter.
  const given = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ""));
  const parsed = AdminAuditQuery.safeParse(given);
  if (!parsed.success) {
    const invalid = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].filter((f): f is FilterField | "cursor" => f in raw);
    return { raw, query: null, invalid };
  }
  const { userId, type, since, until, cursor } = parsed.data;
  return { raw, query: { userId, type, since, until, cursor }, invalid: [] };
}

/** The URL's query for `raw`'s filters (and a cursor when given), leaving out the empty ones. */
export function filterQuery(raw: AuditFilters["raw"], cursor?: string | null): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) if (raw[field]) params.set(field, raw[field]);
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return query ? `?${query}` : "";
}
