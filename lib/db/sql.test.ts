import { describe, expect, it } from "vitest";
import { useTestDatabase } from "./testing";

const db = useTestDatabase();
const { atomically, database, execute, multiRowChunks, prisma, query, readWithNext, sql, transaction } = await import("./sql");
const { isUniqueViolation } = await import("./errors");

const key = (name: string) => `sql-test:${name}:${Math.random()}`;
const at = new Date("2026-12-01T10:20:30.456Z");
const insert = (k: string, count = 1) =>
  sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${k}, ${count}, ${at}, ${at})`;
const countOf = async (k: string) =>
  (await query<{ count: number }>(database, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`))[0]?.count ?? null;

describe("statements of lib/db/sql.ts", () => {
  it("bind every value and give rows as Prisma does: dates as Date, integers as numbers, booleans as booleans", async () => {
    const k = key("types");
    expect(await execute(database, insert(k, 3))).toBe(1);
    const [row] = await query<{ key: string; count: number; windowEnds: Date }>(
      database,
      sql`SELECT "key", "count", "windowEnds" FROM "RateLimit" WHERE "key" = ${k} AND "windowEnds" = ${at}`,
    );
    expect(row).toEqual({ key: k, count: 3, windowEnds: at });
    // The same row through Prisma's own query: the two layers store and read alike.
    expect(await db().rateLimit.findUnique({ where: { key: k } })).toMatchObject({ count: 3, windowEnds: at, lastHitAt: at });
    const roles = await query<{ isDefault: boolean }>(database, sql`SELECT "isDefault" FROM "Role"`);
    expect(roles.some((r) => r.isDefault === true)).toBe(true);
  });

  it("bind booleans and dates as Prisma stores them, so comparisons in SQL match its rows", async () => {
    const defaults = await query<{ n: number }>(database, sql`SELECT COUNT(*) AS "n" FROM "Role" WHERE "isDefault" = ${true}`);
    expect(defaults).toEqual([{ n: await db().role.count({ where: { isDefault: true } }) }]);
    const k = key("dates");
    await db().rateLimit.create({ data: { key: k, count: 1, windowEnds: at, lastHitAt: at } });
    const before = new Date(at.getTime() - 1);
    expect(await query(database, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k} AND "windowEnds" > ${before} AND "lastHitAt" <= ${at}`)).toEqual([{ count: 1 }]);
  });

  it("treat a value as data, never as SQL", async () => {
    const nasty = `x'); DELETE FROM "RateLimit"; --`;
    const k = key("nasty");
    await execute(database, insert(k));
    expect(await query(database, sql`SELECT "key" FROM "RateLimit" WHERE "key" = ${nasty}`)).toEqual([]);
    expect(await countOf(k)).toBe(1);
  });

  it("splice a nested fragment with its own parameters in order", async () => {
    const k = key("fragment");
    await execute(database, insert(k, 7));
    const condition = sql`"count" = ${7} AND "key" = ${k}`;
    expect(await query(database, sql`SELECT "count" FROM "RateLimit" WHERE ${condition} AND "windowEnds" = ${at}`)).toEqual([{ count: 7 }]);
  });

  it("give one template the text of whichever fragment it is given, call after call", async () => {
    const k = key("fragments");
    await execute(database, insert(k, 4));
    const select = (columns: ReturnType<typeof sql>) => sql`SELECT ${columns} FROM "RateLimit" WHERE "key" = ${k}`;
    const counts = sql`"count" AS "value"`;
    const keys = sql`"key" AS "value"`;
    for (const [columns, value] of [[counts, 4], [keys, k], [counts, 4], [sql`"count" + ${10} AS "value"`, 14]] as const) {
      expect(await query(database, select(columns))).toEqual([{ value }]);
    }
  });
});

describe("multiRowChunks", () => {
  it("cuts the largest size first, then powers of four, every item once and in order", () => {
    const items = Array.from({ length: 2345 }, (_, i) => i);
    const chunks = [...multiRowChunks(items, 1000)];
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 256, 64, 16, 4, 4, 1]);
    expect(chunks.flat()).toEqual(items);
    expect([...multiRowChunks([], 1000)]).toEqual([]);
    expect([...multiRowChunks([1, 2, 3], 2)].map((c) => c.length)).toEqual([2, 1]);
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
    const write = execute(database, insert(outside));
    release();
    await expect(tx).rejects.toThrow("roll back");
    await write;
    expect(await countOf(inside)).toBeNull();
    expect(await countOf(outside)).toBe(1);
  });

  it("takes in Prisma's query API given its handle: each kind sees the other's rows, and one rollback undoes both", async () => {
    const viaSql = key("via-sql");
    const viaPrisma = key("via-prisma");
    await transaction(async (tx) => {
      await execute(tx, insert(viaSql));
      await (await prisma(tx)).rateLimit.create({ data: { key: viaPrisma, count: 2, windowEnds: at, lastHitAt: at } });
      expect(await query(tx, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${viaPrisma}`)).toEqual([{ count: 2 }]);
      expect(await (await prisma(tx)).rateLimit.count({ where: { key: viaSql } })).toBe(1);
      throw new Error("undo");
    }).catch(() => {});
    expect(await countOf(viaSql)).toBeNull();
    expect(await countOf(viaPrisma)).toBeNull();
  });

  it("commits Prisma's part with its own when the work returns", async () => {
    const viaPrisma = key("prisma-commit");
    await transaction(async (tx) => {
      await (await prisma(tx)).rateLimit.create({ data: { key: viaPrisma, count: 3, windowEnds: at, lastHitAt: at } });
    });
    expect(await countOf(viaPrisma)).toBe(3);
  });

  it("binds Prisma to each of several transactions at once, and to none of Prisma's own meanwhile", async () => {
    const keys = Array.from({ length: 4 }, (_, i) => key(`concurrent-${i}`));
    const outcomes = await Promise.allSettled(
      keys.map((k, i) =>
        transaction(async (tx) => {
          await (await prisma(tx)).rateLimit.create({ data: { key: k, count: i + 1, windowEnds: at, lastHitAt: at } });
          if (i % 2 === 1) throw new Error("undo this one");
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected"]);
    expect(await Promise.all(keys.map(countOf))).toEqual([1, null, 3, null]);
  });

  it("takes in a write Prisma would wrap in a transaction of its own (a nested create)", async () => {
    const email = `nested-${Math.random()}@example.com`;
    const [role] = await query<{ id: number }>(database, sql`SELECT "id" FROM "Role" ORDER BY "id" LIMIT 1`);
    await transaction(async (tx) => {
      await (await prisma(tx)).user.create({
        data: { email, roleId: role!.id, passkeys: { create: { id: `pk-${email}`, name: "key", publicKey: "x", transports: "", deviceType: "singleDevice" } } },
      });
      expect(await (await prisma(tx)).passkey.count({ where: { id: `pk-${email}` } })).toBe(1);
      throw new Error("undo");
    }).catch(() => {});
    expect(await db().user.count({ where: { email } })).toBe(0);
    expect(await db().passkey.count({ where: { id: `pk-${email}` } })).toBe(0);
  });

  it("keeps Prisma's statements sent meanwhile from outside it out of it", async () => {
    const outside = key("outside-prisma");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const open = new Promise<void>((resolve) => (started = resolve));
    const tx = transaction(async (t) => {
      await execute(t, insert(key("inside-prisma")));
      started();
      await held;
      throw new Error("roll back");
    }).catch((e: unknown) => e);
    await open;
    const write = db().rateLimit.create({ data: { key: outside, count: 1, windowEnds: at, lastHitAt: at } });
    release();
    expect(await tx).toBeInstanceOf(Error);
    await write;
    expect(await countOf(outside)).toBe(1);
  });

  it("refuses a transaction's handle once the transaction ended", async () => {
    const leaked = await transaction(async (tx) => tx);
    expect(() => query(leaked, sql`SELECT 1 AS "one"`)).toThrow(/after the transaction ended/);
    expect(() => prisma(leaked)).toThrow(/after the transaction ended/);
    expect(() => execute(leaked, sql`SELECT 1`)).toThrow(/after the transaction ended/);
  });

  it("runs a data function's statements together whether or not its caller opened a transaction (atomically)", async () => {
    const k = key("atomically");
    const twoWrites = (tx: Parameters<typeof atomically>[0]) =>
      atomically(tx, async (t) => {
        await execute(t, insert(k));
        throw new Error("second write failed");
      });
    await expect(twoWrites(database)).rejects.toThrow("second write failed");
    expect(await countOf(k)).toBeNull();
  });
});

describe("a read started with readWithNext", () => {
  it("sees the transaction as it was before the statement after it, and is answered", async () => {
    const k = key("with-next");
    await execute(database, insert(k, 1));
    const seen = await transaction(async (tx) => {
      const before = readWithNext(tx, (early) => query<{ count: number }>(early, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`));
      await execute(tx, sql`UPDATE "RateLimit" SET "count" = 2 WHERE "key" = ${k}`);
      const after = await query<{ count: number }>(tx, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`);
      return { before: await before, after };
    });
    expect(seen).toEqual({ before: [{ count: 1 }], after: [{ count: 2 }] });
  });

  it("is answered when nothing follows it, and outside a transaction", async () => {
    const k = key("alone");
    await execute(database, insert(k, 4));
    const read = (tx: Parameters<typeof query>[0]) => query<{ count: number }>(tx, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`);
    expect(await transaction((tx) => readWithNext(tx, read))).toEqual([{ count: 4 }]);
    expect(await readWithNext(database, read)).toEqual([{ count: 4 }]);
  });

  it("fails with its transaction, and one nobody awaited does not go unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const k = key("failing");
      const failed = await transaction(async (tx) => {
        void readWithNext(tx, (early) => query(early, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${k}`));
        await execute(tx, insert(k));
        await execute(tx, insert(k)); // a duplicate key
      }).catch((error: unknown) => error);
      expect(isUniqueViolation(failed)).toBe(true);
      const dropped = await transaction(async (tx) => {
        void readWithNext(tx, (early) => query(early, sql`SELECT 1 AS "one"`));
        throw new Error("the work failed first");
      }).catch((error: unknown) => error);
      expect(dropped).toEqual(new Error("the work failed first"));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      expect(await countOf(k)).toBe(null);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("a unique index refusing a statement", () => {
  it("is recognised as such whether the statement ran directly, in a transaction, or through Prisma's query API", async () => {
    const k = key("unique");
    await execute(database, insert(k));
    const refusals = await Promise.all([
      execute(database, insert(k)).catch((e: unknown) => e),
      transaction((tx) => execute(tx, insert(k))).catch((e: unknown) => e),
      transaction(async (tx) => (await prisma(tx)).rateLimit.create({ data: { key: k, count: 1, windowEnds: at, lastHitAt: at } })).catch((e: unknown) => e),
    ]);
    expect(refusals.map(isUniqueViolation)).toEqual([true, true, true]);
    expect(isUniqueViolation(new Error("something else"))).toBe(false);
  });
});
