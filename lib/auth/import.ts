import { z } from "zod";
import { now } from "@/lib/clock";
import { recordAudit } from "@/lib/db/audit";
import { database, transaction } from "@/lib/db";
import { defaultRole, listRoles } from "@/lib/db/roles";
import { EmailTakenError, findUserByEmail, insertUser } from "@/lib/db/users";
import { isRecognizedHashFormat } from "@/lib/password/hash";
import { DobSchema, EmailSchema, MobileSchema, NameSchema } from "@/lib/validation/fields";
import { fieldErrorsOf } from "@/lib/validation/parse";

/**
 * Imports users exported from the Django service. Each row is checked in full, then written in
 * its own transaction: a bad row is reported and skipped, nothing is half-written, and a second
 * run skips the users the first one created. Imported hashes stay in Django's format until the
 * user's first login re-hashes them to Argon2id. Django's inactive users (`is_active` false) are
 * imported disabled: they get no tokens by any path.
 */

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const truthy = (v: unknown) => v === true || v === 1 || (typeof v === "string" && /^(1|true|t|yes|y)$/i.test(v.trim()));
const falsy = (v: unknown) => v === false || v === 0 || (typeof v === "string" && /^(0|false|f|no|n)$/i.test(v.trim()));

const ImportRow = z.object({
  email: EmailSchema,
  name: z.preprocess(blankToUndefined, z.optional(NameSchema)),
  dob: z.preprocess(blankToUndefined, z.optional(DobSchema)),
  mobile: z.preprocess(blankToUndefined, z.optional(MobileSchema)),
  roleid: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  password: z.preprocess(blankToUndefined, z.string().optional()),
  is_verified: z.unknown().optional().transform(truthy),
  // Django's is_active: an inactive user may not sign in; absent means active.
  is_active: z.unknown().optional().transform((v) => !falsy(v)),
});

export type RawImportRow = Record<string, unknown>;

export interface ImportReport {
  created: number;
  skipped: Array<{ row: number; email: string; reason: string }>;
  failed: Array<{ row: number; errors: Record<string, string[]> }>;
}

/** Django's column names and a few common spellings, onto ours. */
function normaliseKeys(raw: RawImportRow): RawImportRow {
  const aliases: Record<string, string> = { role_id: "roleid", role: "roleid", password_hash: "password", verified: "is_verified", date_of_birth: "dob" };
  const out: RawImportRow = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = k.trim().toLowerCase();
    out[aliases[key] ?? key] = v;
  }
  return out;
}

export async function importUsers(rows: RawImportRow[]): Promise<ImportReport> {
  const report: ImportReport = { created: 0, skipped: [], failed: [] };
  const roles = await listRoles(database);
  const fallbackRole = await defaultRole(database);
  for (const [index, raw] of rows.entries()) {
    const rowNumber = index + 1;
    const parsed = ImportRow.safeParse(normaliseKeys(raw));
    if (!parsed.success) {
      report.failed.push({ row: rowNumber, errors: fieldErrorsOf(parsed.error) });
      continue;
    }
    const row = parsed.data;
    const role = row.roleid === undefined ? fallbackRole : roles.find((r) => r.id === row.roleid);
    // Django marks accounts without a usable password with a leading "!": they import without one.
    const passwordHash = !row.password || row.password.startsWith("!") ? null : row.password;
    const errors: Record<string, string[]> = {};
    if (!role) errors.roleid = [`Unknown role id ${row.roleid}.`];
    if (passwordHash && !isRecognizedHashFormat(passwordHash)) errors.password = ["Unrecognised password hash format."];
    if (Object.keys(errors).length) {
      report.failed.push({ row: rowNumber, errors });
      continue;
    }
    if (await findUserByEmail(database, row.email)) {
      report.skipped.push({ row: rowNumber, email: row.email, reason: "already exists" });
      continue;
    }
    try {
      await transaction(async (tx) => {
        const user = await insertUser(tx, {
          email: row.email,
          name: row.name,
          dob: row.dob ?? null,
          mobile: row.mobile,
          passwordHash,
          roleId: role!.id,
          verifiedAt: row.is_verified ? now() : null,
          disabledAt: row.is_active ? null : now(),
        });
        await recordAudit(tx, { type: "user_imported", userId: user.id, detail: { disabled: !row.is_active } });
      });
      report.created++;
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error;
      report.skipped.push({ row: rowNumber, email: row.email, reason: "already exists" });
    }
  }
  return report;
}
