import { pbkdf2Sync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/lib/db/testing";

const db = useTestDatabase();

const { database } = await import("@/lib/db");
const { importUsers } = await import("./import");
const { authenticatePassword } = await import("./login");
const { findUserByEmail } = await import("@/lib/db/users");

/** A Django `pbkdf2_sha256$…` hash, computed with the published algorithm. */
function djangoPbkdf2(password: string, iterations = 1000): string {
  const salt = randomBytes(12).toString("base64url");
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64");
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

const meta = { ip: null, userAgent: null };

describe("importing users from the Django service", () => {
  it("creates users who log in with their old password, re-hashed to Argon2id on first login", async () => {
    const report = await importUsers([
      { email: "  Ada@Example.com ", name: "Ada", dob: "1990-01-12", mobile: "76765757", roleid: "3", password: djangoPbkdf2("old django pw"), is_verified: "1" },
    ]);
    expect(report).toEqual({ created: 1, skipped: [], failed: [] });
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
    const first = await importUsers(rows);
    expect(first.created).toBe(2);
    expect(first.failed.map((f) => f.row)).toEqual([2, 3, 4]);
    expect(first.failed[0]!.errors.email).toEqual(["Enter a valid email address."]);
    expect(await findUserByEmail(database, "bad-role@example.com")).toBeNull();
    expect((await findUserByEmail(database, "unusable@example.com"))!.passwordHash).toBeNull();
    expect((await findUserByEmail(database, "grace@example.com"))!.verifiedAt).toBeNull();

    const countBefore = await db().user.count();
    const second = await importUsers(rows);
    expect(second.created).toBe(0);
    expect(second.skipped.map((s) => s.email)).toEqual(["grace@example.com", "unusable@example.com"]);
    expect(await db().user.count()).toBe(countBefore);
  });
});
