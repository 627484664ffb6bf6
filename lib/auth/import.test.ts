import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/db/testing";
import type { FailedRow, ImportTotals, RawImportRow, SkippedRow } from "./import";

const db = useTestDatabase();

const { database } = await import("@/lib/db");
const { IMPORT_WRITERS, importUsers } = await import("./import");
const { readImportFile } = await import("./import-file");
const { authenticatePassword } = await import("./login");
const { findUserByEmail, insertUser } = await import("@/lib/db/users");

/** importUsers with what it reports collected. */
async function runImport(rows: AsyncIterable<RawImportRow> | Iterable<RawImportRow>, batchSize?: number) {
  const skipped: SkippedRow[] = [];
  const failed: FailedRow[] = [];
  const progress: ImportTotals[] = [];
  const totals = await importUsers(rows, { skipped: (s) => skipped.push(s), failed: (f) => failed.push(f), progress: (t) => progress.push({ ...t }) }, batchSize);
  return { ...totals, skippedRows: skipped, failedRows: failed, progress };
}

/** A Django `pbkdf2_sha256$…` hash, computed with the published algorithm. */
function djangoPbkdf2(password: string, iterations = 1000): string {
  const salt = randomBytes(12).toString("base64url");
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64");
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

const meta = { ip: null, userAgent: null };

describe("importing users from the Django service", () => {
  it("creates users who log in with their old password, re-hashed to Argon2id on first login", async () => {
    const report = await runImport([
      { email: "  Ada@Example.com ", name: "Ada", dob: "1990-01-12", mobile: "76765757", roleid: "3", password: djangoPbkdf2("old django pw"), is_verified: "1" },
    ]);
    expect(report).toMatchObject({ read: 1, created: 1, skipped: 0, failed: 0, skippedRows: [], failedRows: [] });
    const user = await findUserByEmail(database, "ada@example.com");
    expect(user).toMatchObject({ name: "Ada", dob: "1990-01-12", mobile: "76765757", roleId: 3 });
    expect(user!.verifiedAt).not.toBeNull();
    expect(user!.passwordHash).toMatch(/^pbkdf2_sha256\$/);

    await expect(authenticatePassword("ada@example.com", "wrong", meta)).rejects.toThrow();
    await authenticatePassword("ada@example.com", "old django pw", meta);
    expect((await findUserByEmail(database, "ada@example.com"))!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await authenticatePassword("ada@example.com", "old django pw", meta);
  });

  it("is idempotent and reports bad rows without writing them", async () => {
    const rows = [
      { email: "grace@example.com", password: djangoPbkdf2("pw one"), role_id: 2, is_verified: "false" },
      { email: "not-an-email", password: djangoPbkdf2("x") },
      { email: "bad-role@example.com", roleid: 99, password: djangoPbkdf2("x") },
      { email: "bad-hash@example.com", password: "md5$abc$def" },
      { email: "unusable@example.com", password: "!unusablePasswordMarker" },
    ];
    const first = await runImport(rows);
    expect(first.created).toBe(2);
    expect(first.failedRows.map((f) => f.row)).toEqual([2, 3, 4]);
    expect(first.failedRows[0]!.errors.email).toEqual(["Enter a valid email address."]);
    expect(first.failedRows[1]!.errors).toEqual({ roleid: ["Unknown role id 99."] });
    expect(first.failedRows[2]!.errors).toEqual({ password: ["Unrecognised password hash format."] });
    expect(await findUserByEmail(database, "bad-role@example.com")).toBeNull();
    expect((await findUserByEmail(database, "unusable@example.com"))!.passwordHash).toBeNull();
    expect((await findUserByEmail(database, "grace@example.com"))!.verifiedAt).toBeNull();

    const countBefore = await db().user.count();
    const second = await runImport(rows);
    expect(second.created).toBe(0);
    expect(second.skippedRows).toEqual([
      { row: 1, email: "grace@example.com", reason: "already exists" },
      { row: 5, email: "unusable@example.com", reason: "already exists" },
    ]);
    expect(await db().user.count()).toBe(countBefore);
  });

  it("writes in batches: bad rows and duplicates anywhere in a batch are reported and the rest is written", async () => {
    const hash = djangoPbkdf2("batch pw");
    await insertUser(database, { email: "existing-b@example.com", passwordHash: null, roleId: 2 });
    const rows = [
      { email: "b1@example.com", password: hash, is_verified: "yes" },
      { email: "b2@example.com", password: hash, is_active: "false" },
      { email: "bad mail", password: hash },
      { email: "B1@example.com", password: hash }, // the same e-mail as row 1, in the same batch
      { email: "b3@example.com", password: hash },
      { email: "existing-b@example.com", password: hash },
      { email: "b4@example.com", password: "!", is_active: 0, is_verified: 1 },
      { email: "b2@example.com", password: hash }, // row 2's e-mail, a batch later
      { email: "b5@example.com", roleid: 42 },
      { email: "b6@example.com" },
    ];
    const report = await runImport(rows, 3);
    expect(report).toMatchObject({ read: 10, created: 5, skipped: 3, failed: 2 });
    expect(report.failedRows.map((f) => f.row)).toEqual([3, 9]);
    expect(report.skippedRows.map((s) => [s.row, s.email])).toEqual([
      [4, "b1@example.com"],
      [6, "existing-b@example.com"],
      [8, "b2@example.com"],
    ]);
    // One progress report per batch written (b1 b2 b3 | existing b4 b2 | b6), the last with the totals.
    expect(report.progress.map((p) => p.created)).toEqual([3, 4, 5]);
    expect(report.progress.at(-1)).toEqual({ read: 10, created: 5, skipped: 3, failed: 2 });

    const b1 = (await findUserByEmail(database, "b1@example.com"))!;
    expect(b1).toMatchObject({ name: "", mobile: "", dob: null, roleId: 2, disabledAt: null, totpEnabledAt: null, locale: null, passwordHash: hash });
    expect(b1.verifiedAt).not.toBeNull();
    const b2 = (await findUserByEmail(database, "b2@example.com"))!;
    expect(b2.disabledAt).not.toBeNull();
    expect(b2.verifiedAt).toBeNull();
    const b4 = (await findUserByEmail(database, "b4@example.com"))!;
    expect(b4).toMatchObject({ passwordHash: null });
    expect(b4.disabledAt).not.toBeNull();
    expect(b4.verifiedAt).not.toBeNull();
    expect((await findUserByEmail(database, "existing-b@example.com"))!.passwordHash).toBeNull();
    expect(await findUserByEmail(database, "b5@example.com")).toBeNull();

    // Each user created has its one audit event, in the same batch's commit.
    const events = await db().auditEvent.findMany({ where: { type: "user_imported", user: { email: { startsWith: "b" } } }, include: { user: true } });
    expect(events.map((e) => [e.user!.email, JSON.parse(e.detail!)]).sort()).toEqual([
      ["b1@example.com", { disabled: false }],
      ["b2@example.com", { disabled: true }],
      ["b3@example.com", { disabled: false }],
      ["b4@example.com", { disabled: true }],
      ["b6@example.com", { disabled: false }],
    ]);
  });

  it("writes batches of the default size in statements of every size, with one event per user", async () => {
    const hash = djangoPbkdf2("many pw");
    const rows = Array.from({ length: 2345 }, (_, i) => ({ email: `many-${i}@example.com`, password: hash, is_active: i % 7 === 0 ? "0" : "1" }));
    // Eleven of them already imported: the statements' row counts differ from the batches'.
    await runImport(rows.filter((_, i) => i % 234 === 0));
    const report = await runImport(rows);
    expect(report).toMatchObject({ read: 2345, created: 2334, skipped: 11, failed: 0 });
    expect(report.skippedRows.map((s) => s.row)).toEqual(Array.from({ length: 11 }, (_, i) => 1 + i * 234));
    const users = await db().user.findMany({ where: { email: { startsWith: "many-" } }, select: { id: true, email: true, disabledAt: true } });
    expect(users).toHaveLength(2345);
    const events = await db().auditEvent.findMany({ where: { type: "user_imported", userId: { in: users.map((u) => u.id) } } });
    expect(events).toHaveLength(2345);
    const disabledById = new Map(users.map((u) => [u.id, u.disabledAt !== null]));
    expect(events.every((e) => JSON.parse(e.detail!).disabled === disabledById.get(e.userId!))).toBe(true);
    expect(users.filter((u) => u.disabledAt !== null)).toHaveLength(Math.ceil(2345 / 7));
  });

  it("reads its rows as they come, holding no more than the batches being written and one more", async () => {
    let pulled = 0;
    let written = 0;
    let mostAhead = 0;
    async function* rows() {
      for (let i = 0; i < 50; i++) {
        mostAhead = Math.max(mostAhead, pulled - written);
        pulled++;
        yield { email: `lazy-${i}@example.com` };
      }
    }
    const totals = await importUsers(rows(), { progress: (t) => (written = t.read) }, 5);
    expect(totals).toEqual({ read: 50, created: 50, skipped: 0, failed: 0 });
    expect(mostAhead).toBeLessThanOrEqual((IMPORT_WRITERS + 1) * 5 + 1);
  });

  it("writes batches at once without deadlocking on e-mails they share, and reports them in the order read", async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `shared-${String(i).padStart(2, "0")}@example.com`);
    // Each batch holds the same e-mails in another order: written at once, unsorted, two of them
    // would each wait for a row the other inserted (PostgreSQL fails one of them).
    const orders = [emails, [...emails].reverse(), emails.filter((_, i) => i % 2).concat(emails.filter((_, i) => i % 2 === 0))];
    const report = await runImport(orders.flat().map((email) => ({ email })), emails.length);
    expect(report).toMatchObject({ read: 120, created: 40, skipped: 80, failed: 0 });
    const rowsSkipped = report.skippedRows.map((s) => s.row);
    expect(rowsSkipped).toEqual([...rowsSkipped].sort((a, b) => a - b));
    expect(await db().user.count({ where: { email: { startsWith: "shared-" } } })).toBe(40);
  });

  it("streams JSON (an array, or { users: [...] }) and CSV files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "auth-import-file-"));
    const hash = djangoPbkdf2("file pw");
    const file = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const fromFile = async (name: string, text: string) => runImport(readImportFile(file(name, text)), 2);

    const array = await fromFile("array.json", JSON.stringify([{ email: "j1@example.com", password: hash }, 7, { email: "j2@example.com", is_active: false }, { email: "j1@example.com" }]));
    expect(array).toMatchObject({ read: 4, created: 2, skipped: 1, failed: 1 });
    expect(array.failedRows[0]).toEqual({ row: 2, errors: { email: ["This field is required."] } });
    expect((await findUserByEmail(database, "j2@example.com"))!.disabledAt).not.toBeNull();

    const wrapped = await fromFile("wrapped.json", `{ "exported": "2026-12-01", "users": [{ "email": "j3@example.com", "name": "Jo" }, { "email": "j2@example.com" }] }`);
    expect(wrapped).toMatchObject({ read: 2, created: 1, skipped: 1, failed: 0 });
    expect((await findUserByEmail(database, "j3@example.com"))!.name).toBe("Jo");

    const csv = await fromFile(
      "users.csv",
      `\uFEFFemail,name,role_id,password,is_verified,is_active\nc1@example.com, Cy ,2,${hash},1,1\n\nc2@example.com,,,!x,0,0\nc3@example.com,,9,,,\n`,
    );
    expect(csv).toMatchObject({ read: 3, created: 2, skipped: 0, failed: 1 });
    expect(csv.failedRows).toEqual([{ row: 3, errors: { roleid: ["Unknown role id 9."] } }]);
    expect(await findUserByEmail(database, "c1@example.com")).toMatchObject({ name: "Cy", roleId: 2, passwordHash: hash });
    expect((await findUserByEmail(database, "c1@example.com"))!.verifiedAt).not.toBeNull();
    expect(await findUserByEmail(database, "c2@example.com")).toMatchObject({ passwordHash: null, verifiedAt: null });
    expect((await findUserByEmail(database, "c2@example.com"))!.disabledAt).not.toBeNull();

    await expect(fromFile("other.json", `{ "people": [{ "email": "p@example.com" }] }`)).rejects.toThrow("JSON must be an array of users or { users: [...] }");
    expect(await findUserByEmail(database, "p@example.com")).toBeNull();
    // A file broken part-way: the batch written before the break stays (and a second run would skip it).
    await expect(fromFile("broken.json", `[{ "email": "k1@example.com" }, { "email": "k2@example.com" }, { "email": "k3@example.com" }, { "email": `)).rejects.toThrow();
    expect(await findUserByEmail(database, "k1@example.com")).not.toBeNull();
    expect(await findUserByEmail(database, "k2@example.com")).not.toBeNull();
    expect(await findUserByEmail(database, "k3@example.com")).toBeNull();
  });
});
