import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { indexDefinition, onPostgres, planOf, recordStatements, useTestDatabase } from "./testing";

/**
 * The console's search (ADR 016): a substring of the e-mail or the name, whatever its case and
 * characters, found on SQLite through the trigram index "UserSearch", which must follow every
 * insert, change and deletion of an account.
 */

const db = useTestDatabase();

const { database } = await import("@/lib/db");
const { searchUsers } = await import("./user-directory");
const { execute, sql } = await import("./sql");

const USER_ROLE = 2;
const NEWEST_FIRST = { key: "created", descending: true } as const;

/** A piece no other test's account holds. */
const uniqueTag = (label: string) => `${label}${randomInt(1e9).toString(36)}`;

async function newUser(email: string, name = "") {
  return db().user.create({ data: { email, name, roleId: USER_ROLE } });
}

async function idsFound(search: string, limit = 100) {
  return (await searchUsers(database, { search }, NEWEST_FIRST, limit, null)).map((r) => r.id).sort((a, b) => a - b);
}

describe("the search", () => {
  it("finds a substring of the e-mail or the name whatever its case, and no other account", async () => {
    const tag = uniqueTag("Fold");
    const byEmail = await newUser(`${tag.toLowerCase()}@example.com`, "Someone");
    const byName = await newUser(`${uniqueTag("other")}@example.com`, `Ms ${tag.toUpperCase()} Smith`);
    await newUser(`${uniqueTag("unrelated")}@example.com`, "Nobody");
    expect(await idsFound(tag)).toEqual([byEmail.id, byName.id].sort((a, b) => a - b));
    expect(await idsFound(tag.slice(1, 4))).toEqual(expect.arrayContaining([byEmail.id, byName.id]));
  });

  it("takes `%`, `_`, `\"`, `*` and the index's own words as the characters they are", async () => {
    const tag = uniqueTag("chars");
    const literal = await newUser(`${tag}%a_b@example.com`, `Dr "Quoted" * NEAR OR ${tag}`);
    // Each would match this one if a character were a wildcard or an operator.
    await newUser(`${tag}xaxb@example.com`, `Dr Quoted x NEAR x ${tag}`);
    expect(await idsFound(`${tag}%a_b`)).toEqual([literal.id]);
    expect(await idsFound(`"Quoted"`)).toEqual([literal.id]);
    expect(await idsFound(`" * NEAR OR`)).toEqual([literal.id]);
    expect(await idsFound(`${tag}%`)).toEqual([literal.id]);
    expect(await idsFound(`a_b@`)).toEqual([literal.id]);
  });

  it("finds an account by its new e-mail or name once changed, not by the old, and no longer once deleted", async () => {
    const [before, after, renamed] = [uniqueTag("before"), uniqueTag("after"), uniqueTag("renamed")];
    const user = await newUser(`${before}@example.com`, `${before} name`);
    expect(await idsFound(before)).toEqual([user.id]);
    await db().user.update({ where: { id: user.id }, data: { email: `${after}@example.com` } });
    // The name still holds the old piece; the e-mail no longer does.
    expect(await idsFound(`${before}@`)).toEqual([]);
    expect(await idsFound(`${after}@`)).toEqual([user.id]);
    await db().user.update({ where: { id: user.id }, data: { name: `${renamed} name` } });
    expect(await idsFound(before)).toEqual([]);
    expect(await idsFound(renamed)).toEqual([user.id]);
    // A sign-in's write leaves the index alone and the account found.
    await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    expect(await idsFound(renamed)).toEqual([user.id]);
    await db().user.delete({ where: { id: user.id } });
    expect(await idsFound(renamed)).toEqual([]);
    expect(await idsFound(after)).toEqual([]);
  });

  it("answers a piece of one or two characters too, without the index", async () => {
    const tag = uniqueTag("short");
    const user = await newUser(`${tag}@example.com`, "Ω Zq");
    expect(await idsFound("Ω", 1000)).toContain(user.id);
    expect(await idsFound("zQ", 1000)).toContain(user.id);
  });

  it("pages through a piece more accounts hold than it lists by id, each once, in every order", async () => {
    const tag = uniqueTag("common");
    // 5,001: one more than the ids it looks up; the page is then found by a walk in its order.
    const rows = Array.from({ length: 5001 }, (_, i) => ({ email: `${tag}-${i}@example.com`, name: "", roleId: USER_ROLE }));
    await db().user.createMany({ data: rows });
    const first = await searchUsers(database, { search: tag.toUpperCase() }, NEWEST_FIRST, 3, null);
    expect(first.map((r) => r.email)).toEqual([`${tag}-5000@example.com`, `${tag}-4999@example.com`, `${tag}-4998@example.com`]);
    const byEmail = await searchUsers(database, { search: `${tag}-49` }, { key: "email", descending: false }, 200, null);
    expect(byEmail.map((r) => r.email)).toEqual(rows.map((r) => r.email).filter((e) => e.includes(`${tag}-49`)).sort());
  });

  it.skipIf(onPostgres())("keeps the SQLite index in step with the accounts (FTS5's integrity check)", async () => {
    const user = await newUser(`${uniqueTag("check")}@example.com`, "Checked");
    await db().user.update({ where: { id: user.id }, data: { email: `${uniqueTag("checked")}@example.com`, name: "Checked again" } });
    await db().user.delete({ where: { id: user.id } });
    // Compares the index with the content of "User": fails (SQLITE_CORRUPT_VTAB) on any difference.
    await execute(database, sql`INSERT INTO "UserSearch" ("UserSearch", "rank") VALUES ('integrity-check', 1)`);
  });
});

describe("the filters' indexes", () => {
  it("hold only the disabled accounts and those with two-factor on, and a lookup of those uses them", async () => {
    // Every sign-in writes a new version of its account's row on PostgreSQL, with an entry in each
    // index that holds the row: the few that these filters look for are all they need.
    for (const [index, column] of [["User_disabledAt_idx", "disabledAt"], ["User_totpEnabledAt_idx", "totpEnabledAt"]] as const) {
      expect(await indexDefinition(index), index).toMatch(new RegExp(`WHERE \\(?"?${column}"? IS NOT NULL\\)?$`));
      expect((await planOf(`SELECT "id" FROM "User" WHERE "${column}" IS NOT NULL`, [])).join("\n"), index).toContain(index);
    }
  });
});

describe("the search's plan", () => {
  it.skipIf(onPostgres())("on SQLite finds a piece of three characters or more through the trigram index, not by reading \"User\"", async () => {
    const tag = uniqueTag("plan");
    await newUser(`${tag}@example.com`, "Planned");
    for (const sort of [NEWEST_FIRST, { key: "email", descending: false } as const, { key: "last_login", descending: true } as const]) {
      const recorder = recordStatements();
      try {
        await searchUsers(database, { search: tag }, sort, 50, null);
      } finally {
        recorder.stop();
      }
      const plans = await Promise.all(recorder.statements.map((text, i) => planOf(text, recorder.values[i]!)));
      const text = plans.map((p) => p.join("\n")).join("\n---\n");
      expect(text, sort.key).toMatch(/SCAN UserSearch VIRTUAL TABLE INDEX \d+:M/);
      // "SCAN u": every account read; the walk of an index in the page's order ("SCAN u USING INDEX") reads them all too.
      expect(text, sort.key).not.toMatch(/^SCAN u\b/m);
    }
  });
});
