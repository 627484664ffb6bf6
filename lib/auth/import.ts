import { z } from "zod";
import { now } from "@/lib/clock";
import { recordAudits } from "@/lib/db/audit";
import { database, transaction } from "@/lib/db";
import { defaultRole, listRoles, type RoleRecord } from "@/lib/db/roles";
import { insertUsersIfNew, type NewUser } from "@/lib/db/users";
import { isRecognizedHashFormat } from "@/lib/password/hash";
import { DobSchema, EmailSchema, MobileSchema, NameSchema } from "@/lib/validation/fields";
import { fieldErrorsOf } from "@/lib/validation/parse";

/**
 * Imports users exported from the Django service, a stream of rows of any length. Each row is
 * checked in full before it joins a batch: a bad row is reported and skipped, and nothing of it is
 * written. A batch of good rows is one transaction (the users and their `user_imported` events),
 * whose INSERT leaves alone the e-mails that exist already: those rows are reported skipped, so a
 * second run skips the users the first one created. Imported hashes stay in Django's format until
 * the user's first login re-hashes them to Argon2id. Django's inactive users (`is_active` false)
 * are imported disabled: they get no tokens by any path.
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

export interface SkippedRow {
  row: number;
  email: string;
  reason: string;
}

export interface FailedRow {
  row: number;
  errors: Record<string, string[]>;
}

export interface ImportTotals {
  read: number;
  created: number;
  skipped: number;
  failed: number;
}

/** Told of each row left out as it is known, and of the totals after each batch is written. */
export interface ImportListener {
  skipped?(row: SkippedRow): void;
  failed?(row: FailedRow): void;
  progress?(totals: Readonly<ImportTotals>): void;
}

/** Rows per transaction: a commit (an fsync) per few thousand rows, and short enough that another process's write waits a fraction of a second. */
export const IMPORT_BATCH_SIZE = 2000;

/**
 * Batches written at once, each in its own transaction on its own connection: on PostgreSQL the
 * server works on several while the next is read and checked (a million rows: 9,400 rows/s with
 * one at a time, 13,300 with three). On SQLite they take turns.
 */
export const IMPORT_WRITERS = 3;

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

interface BatchRow {
  row: number;
  user: NewUser;
}

export async function importUsers(
  rows: AsyncIterable<RawImportRow> | Iterable<RawImportRow>,
  listener: ImportListener = {},
  batchSize = IMPORT_BATCH_SIZE,
): Promise<ImportTotals> {
  const totals: ImportTotals = { read: 0, created: 0, skipped: 0, failed: 0 };
  const roles = await listRoles(database);
  const fallbackRole = await defaultRole(database);
  const skip = (skipped: SkippedRow) => {
    totals.skipped++;
    listener.skipped?.(skipped);
  };

  // Batches are reported in the order they were read, whichever commits first.
  let reported: Promise<unknown> = Promise.resolve();
  /** Writes one batch (keyed by e-mail); the rows whose e-mail was taken are skipped. */
  const write = (batch: Map<string, BatchRow>): Promise<void> => {
    const committed = transaction(async (tx) => {
      // In e-mail order: two batches written at once that share e-mails then wait for each other
      // in one order, never in a cycle (a deadlock PostgreSQL would end by failing one).
      const users = await insertUsersIfNew(tx, Array.from(batch.values(), (b) => b.user).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)));
      const events = users.map(({ id, email }) => ({ type: "user_imported", userId: id, detail: { disabled: batch.get(email)!.user.disabledAt !== null } }));
      await recordAudits(tx, events);
      return new Set(users.map((user) => user.email));
    });
    // Its failure is the report's, taken below; not an unhandled rejection meanwhile.
    committed.catch(() => {});
    const report = reported.then(async () => {
      const inserted = await committed;
      totals.created += inserted.size;
      for (const { row, user } of batch.values()) if (!inserted.has(user.email)) skip({ row, email: user.email, reason: "already exists" });
      listener.progress?.(totals);
    });
    reported = report.catch(() => {});
    return report;
  };

  // A second row with an e-mail already in the batch is skipped, as it would be once the first is written.
  let batch = new Map<string, BatchRow>();
  // Batches are written while the next one is read and checked, IMPORT_WRITERS at a time.
  const writing = new Set<Promise<void>>();
  const settled = () => Promise.all(Array.from(writing, (w) => w.catch(() => {})));
  try {
    for await (const raw of rows) {
      const rowNumber = ++totals.read;
      const user = checkedRow(raw, roles, fallbackRole);
      if ("errors" in user) {
        totals.failed++;
        listener.failed?.({ row: rowNumber, errors: user.errors });
        continue;
      }
      if (batch.has(user.email)) {
        skip({ row: rowNumber, email: user.email, reason: "already exists" });
        continue;
      }
      batch.set(user.email, { row: rowNumber, user });
      if (batch.size >= batchSize) {
        if (writing.size >= IMPORT_WRITERS) await Promise.race(writing);
        const written = write(batch);
        writing.add(written);
        // Its failure is thrown below (the next race or the end); until then it must not count as unhandled.
        written.then(() => writing.delete(written), () => {});
        batch = new Map();
      }
    }
  } catch (error) {
    // A file that stops parsing part-way: the batches being written still end, committed or not, before this returns.
    await settled();
    throw error;
  }
  await Promise.all(writing);
  if (batch.size) await write(batch);
  else listener.progress?.(totals);
  return totals;
}

/** The user a row describes, or what is wrong with it. */
function checkedRow(raw: RawImportRow, roles: RoleRecord[], fallbackRole: RoleRecord): NewUser | { errors: Record<string, string[]> } {
  const parsed = ImportRow.safeParse(normaliseKeys(raw));
  if (!parsed.success) return { errors: fieldErrorsOf(parsed.error) };
  const row = parsed.data;
  const role = row.roleid === undefined ? fallbackRole : roles.find((r) => r.id === row.roleid);
  // Django marks accounts without a usable password with a leading "!": they import without one.
  const passwordHash = !row.password || row.password.startsWith("!") ? null : row.password;
  const errors: Record<string, string[]> = {};
  if (!role) errors.roleid = [`Unknown role id ${row.roleid}.`];
  if (passwordHash && !isRecognizedHashFormat(passwordHash)) errors.password = ["Unrecognised password hash format."];
  if (Object.keys(errors).length) return { errors };
  return {
    email: row.email,
    name: row.name,
    dob: row.dob ?? null,
    mobile: row.mobile,
    passwordHash,
    roleId: role!.id,
    verifiedAt: row.is_verified ? now() : null,
    disabledAt: row.is_active ? null : now(),
  };
}
