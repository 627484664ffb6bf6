import { describe, expect, it } from "vitest";
import { useTestDatabase } from "./testing";

const db = useTestDatabase();
const { execute, query, sql, transaction } = await import("./sql");
const { isUniqueViolation } = await import("./errors");

const key = (name: string) => `sql-test:${name}:${Math.random()}`;
const at = new Date("2026-12-01T10:20:30.456Z");
const insert = (k: string, count = 1) =>
  sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${k}, ${count}, ${at}, ${at})`;
const countOf = async (k: string) =>
  (await query<{ count: number }>(db(), sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`))[0]?.count ?? null;

describe("statements of lib/db/sql.ts", () => {
  it("bind every value and give rows as Prisma does: dates as Date, integers as numbers, booleans as booleans", async () => {
    const k = key("types");
    expect(await execute(db(), insert(k, 3))).toBe(1);
    const [row] = await query<{ key: string; count: number; windowEnds: Date }>(
      db(),
      sql`SELECT "key", "count", "windowEnds" FROM "RateLimit" WHERE "key" = ${k} AND "windowEnds" = ${at}`,
    );
    expect(row).toEqual({ key: k, count: 3, windowEnds: at });
    // The same row through Prisma's own query: the two layers store and read alike.
    expect(await db().rateLimit.findUnique({ where: { key: k } })).toMatchObject({ count: 3, windowEnds: at, lastHitAt: at });
    const roles = await query<{ isDefault: boolean }>(db(), sql`SELECT "isDefault" FROM "Role"`);
    expect(roles.some((r) => r.isDefault === true)).toBe(true);
  });

  it("bind booleans and dates as Prisma stores them, so comparisons in SQL match its rows", async () => {
    const defaults = await query<{ n: number }>(db(), sql`SELECT COUNT(*) AS "n" FROM "Role" WHERE "isDefault" = ${true}`);
    expect(defaults).toEqual([{ n: await db().role.count({ where: { isDefault: true } }) }]);
    const k = key("dates");
    await db().rateLimit.create({ data: { key: k, count: 1, windowEnds: at, lastHitAt: at } });
    const before = new Date(at.getTime() - 1);
    expect(await query(db(), sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k} AND "windowEnds" > ${before} AND "lastHitAt" <= ${at}`)).toEqual([{ count: 1 }]);
  });

  it("treat a value as data, never as SQL", async () => {
    const nasty = `x'); DELETE FROM "RateLimit"; --`;
    const k = key("nasty");
    await execute(db(), insert(k));
    expect(await query(db(), sql`SELECT "key" FROM "RateLimit" WHERE "key" = ${nasty}`)).toEqual([]);
    expect(await countOf(k)).toBe(1);
  });

  it("splice a nested fragment with its own parameters in order", async () => {
    const k = key("fragment");
    await execute(db(), insert(k, 7));
    const condition = sql`"count" = ${7} AND "key" = ${k}`;
    expect(await query(db(), sql`SELECT "count" FROM "RateLimit" WHERE ${condition} AND "windowEnds" = ${at}`)).toEqual([{ count: 7 }]);
  });

  it("give one template the text of whichever fragment it is given, call after call", async () => {
    const k = key("fragments");
    await execute(db(), insert(k, 4));
    const select = (columns: ReturnType<typeof sql>) => sql`SELECT ${columns} FROM "RateLimit" WHERE "key" = ${k}`;
    const counts = sql`"count" AS "value"`;
    const keys = sql`"key" AS "value"`;
    for (const [columns, value] of [[counts, 4], [keys, k], [counts, 4], [sql`"count" + ${10} AS "value"`, 14]] as const) {
      expect(await query(db(), select(columns))).toEqual([{ value }]);
    }
  });
});

describe("transaction", () => {
  it("commits what the work wrote when it returns", async () => {
    const k = key("commit");
    expect(await transaction(async (tx) => (await execute(tx, insert(k)), "done"))).toBe("done");
    expect(await countOf(k)).toBe(1);
  });

  it("rolls everything back when the work throws, and passes the error on", async () => {
    const k = key("rollback");
    const failure = new Error("refused");
    await expect(
      transaction(async (tx) => {
        await execute(tx, insert(k));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await countOf(k)).toBeNull();
  });

  it("reports the work's error even when the rollback fails as well", async () => {
    const failure = new Error("the work's own");
    await expect(
      transaction(async (tx) => {
        // Ended behind its back, the transaction can no longer be rolled back.
        await execute(tx, sql`COMMIT`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    // And the connection is free again.
    expect(await transaction(async (tx) => query(tx, sql`SELECT 1 AS "one"`))).toEqual([{ one: 1 }]);
  });

  it("keeps a statement sent meanwhile outside it out of it: it runs after the commit, and survives a rollback", async () => {
    const inside = key("inside");
    const outside = key("outside");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tx = transaction(async (t) => {
      await execute(t, insert(inside));
      await held;
      throw new Error("roll back");
    });
    // Sent while the transaction is open; on SQLite it waits for the transaction to end.
    const write = execute(db(), insert(outside));
    release();
    await expect(tx).rejects.toThrow("roll back");
    await write;
    expect(await countOf(inside)).toBeNull();
    expect(await countOf(outside)).toBe(1);
  });

  it("keeps a statement sent while a Prisma transaction is open out of that transaction too", async () => {
    const outside = key("outside-prisma");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const open = new Promise<void>((resolve) => (started = resolve));
    const tx = db()
      .$transaction(async (t) => {
        await t.rateLimit.count();
        started();
        await held;
        throw new Error("roll back");
      })
      .catch((e: unknown) => e);
    await open;
    const write = execute(db(), insert(outside));
    release();
    expect(await tx).toBeInstanceOf(Error);
    await write;
    expect(await countOf(outside)).toBe(1);
  });

  it("runs a statement given a Prisma transaction through that transaction", async () => {
    const k = key("prisma-tx");
    await db()
      .$transaction(async (tx) => {
        await tx.rateLimit.create({ data: { key: k, count: 2, windowEnds: at, lastHitAt: at } });
        // Sees the uncommitted row, and its own write is rolled back with the rest.
        expect(await query(tx, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`)).toEqual([{ count: 2 }]);
        await execute(tx, sql`UPDATE "RateLimit" SET "count" = 5 WHERE "key" = ${k}`);
        throw new Error("undo");
      })
      .catch(() => {});
    expect(await countOf(k)).toBeNull();
  });
});

describe("a unique index refusing a statement", () => {
  it("is recognised as such whether the statement ran directly, in a transaction of this module or in Prisma's", async () => {
    const k = key("unique");
    await execute(db(), insert(k));
    const refusals = await Promise.all([
      execute(db(), insert(k)).catch((e: unknown) => e),
      transaction((tx) => execute(tx, insert(k))).catch((e: unknown) => e),
      db().$transaction((tx) => execute(tx, insert(k))).catch((e: unknown) => e),
    ]);
    expect(refusals.map(isUniqueViolation)).toEqual([true, true, true]);
    expect(isUniqueViolation(new Error("something else"))).toBe(false);
  });
});
