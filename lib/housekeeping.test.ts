import { afterEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/lib/db/testing";

const db = useTestDatabase();
process.env.AUDIT_RETENTION_DAYS = "30";
const { sweepOnce } = await import("./housekeeping");
const { deleteEndedSessionsAfter } = await import("@/lib/db/sessions");
const { database } = await import("@/lib/db");

const DAY = 24 * 60 * 60_000;
const at = (msAgo: number) => new Date(Date.now() - msAgo);

async function user(email: string) {
  const role = await db().role.findFirstOrThrow({ where: { isDefault: true } });
  return db().user.create({ data: { email, roleId: role.id } });
}

afterEach(() => vi.useRealTimers());

describe("deleteEndedSessionsAfter", () => {
  it("walks the sessions by key, a bounded number at a time, deleting the ended ones among them", async () => {
    const u = await user("walk@example.test");
    const ended = new Set(["w01", "w04", "w05", "w08"]);
    await db().session.createMany({
      data: Array.from({ length: 10 }, (_, i) => `w0${i}`).map((id) => ({ id, userId: u.id, createdAt: at(DAY), lastUsedAt: at(1000), revokedAt: ended.has(id) ? at(10 * DAY) : null })),
    });
    const lifetime = { maxAgeMs: 90 * DAY, idleMs: 30 * DAY };
    const walk = (after: string | null, examine: number, limit = 500) => deleteEndedSessionsAfter(database, after, examine, at(7 * DAY), lifetime, limit);
    const left = async () => (await db().session.findMany({ where: { id: { startsWith: "w0" } }, orderBy: { id: "asc" } })).map((s) => s.id);

    expect(await walk(null, 3)).toEqual({ deleted: 1, next: "w02" });
    expect(await left()).toEqual(["w00", "w02", "w03", "w04", "w05", "w06", "w07", "w08", "w09"]);
    expect(await walk("w02", 3)).toEqual({ deleted: 2, next: "w05" });
    // At `limit` deletions the walk stops at the last one, whatever is left to examine.
    expect(await walk("w05", 10, 1)).toEqual({ deleted: 1, next: "w08" });
    expect(await walk("w08", 10)).toEqual({ deleted: 0, next: null });
    expect(await left()).toEqual(["w00", "w02", "w03", "w06", "w07", "w09"]);
    await db().session.deleteMany({ where: { id: { startsWith: "w0" } } });
  });
});

describe("sweepOnce", () => {
  it("deletes what has stopped mattering and keeps what still does", async () => {
    const u = await user("sweep@example.test");
    await db().rateLimit.createMany({
      data: [
        { key: "ended", count: 3, windowEnds: at(1000) },
        { key: "open", count: 3, windowEnds: at(-60_000) },
      ],
    });
    await db().verification.createMany({
      data: [
        { userId: u.id, purpose: "verify_email", tokenHash: "used-long-ago", expiresAt: at(-DAY), consumedAt: at(2 * DAY) },
        { userId: u.id, purpose: "reset_password", tokenHash: "expired-long-ago", expiresAt: at(3 * DAY) },
        { userId: u.id, purpose: "verify_email", tokenHash: "used-just-now", expiresAt: at(-DAY), consumedAt: at(1000) },
        { userId: u.id, purpose: "verify_email", tokenHash: "open", expiresAt: at(-DAY) },
      ],
    });
    await db().session.createMany({
      data: [
        { id: "revoked-long-ago", userId: u.id, createdAt: at(20 * DAY), lastUsedAt: at(20 * DAY), revokedAt: at(10 * DAY) },
        { id: "too-old", userId: u.id, createdAt: at(100 * DAY), lastUsedAt: at(8 * DAY) },
        { id: "idle", userId: u.id, createdAt: at(50 * DAY), lastUsedAt: at(40 * DAY) },
        { id: "revoked-yesterday", userId: u.id, createdAt: at(2 * DAY), lastUsedAt: at(2 * DAY), revokedAt: at(DAY) },
        { id: "live", userId: u.id, createdAt: at(DAY), lastUsedAt: at(1000) },
      ],
    });
    await db().refreshToken.createMany({
      data: [
        { sessionId: "live", tokenHash: "expired-token", expiresAt: at(8 * DAY), rotatedAt: at(9 * DAY) },
        { sessionId: "live", tokenHash: "rotated-but-not-expired", expiresAt: at(-20 * DAY), rotatedAt: at(DAY) },
        { sessionId: "live", tokenHash: "current", expiresAt: at(-29 * DAY) },
      ],
    });
    await db().outboxEmail.createMany({
      data: [
        { to: "a@x.test", subject: "s", text: "", html: "", kind: "notice", status: "sent", createdAt: at(8 * DAY) },
        { to: "a@x.test", subject: "s", text: "", html: "", kind: "notice", status: "pending", createdAt: at(8 * DAY) },
        { to: "a@x.test", subject: "s", text: "", html: "", kind: "notice", status: "sent", createdAt: at(DAY) },
      ],
    });
    await db().auditEvent.createMany({
      data: [
        { type: "login", userId: u.id, createdAt: at(31 * DAY) },
        { type: "login", userId: u.id, createdAt: at(29 * DAY) },
      ],
    });

    await db().oAuthModel.createMany({
      data: [
        { model: "AuthorizationCode", id: "expired-code", payload: "{}", expiresAt: at(1000) },
        { model: "RefreshToken", id: "live-token", payload: "{}", expiresAt: at(-DAY) },
        { model: "Client", id: "client", payload: "{}", expiresAt: null },
      ],
    });

    const report = await sweepOnce();
    expect(report).toMatchObject({ windows: 1, verifications: 2, sessions: 4, mail: 1, auditEvents: 1, challenges: 0, oauth: 1, backlog: false });
    expect((await db().oAuthModel.findMany({ orderBy: { id: "asc" } })).map((r) => r.id)).toEqual(["client", "live-token"]);

    expect((await db().rateLimit.findMany()).map((r) => r.key).filter((k) => !k.startsWith("lease:"))).toEqual(["open"]);
    expect((await db().verification.findMany({ orderBy: { id: "asc" } })).map((v) => v.tokenHash)).toEqual(["used-just-now", "open"]);
    expect((await db().session.findMany({ orderBy: { id: "asc" } })).map((s) => s.id)).toEqual(["live", "revoked-yesterday"]);
    // A rotated token that could still be presented stays, so its replay is still seen as reuse.
    expect((await db().refreshToken.findMany({ orderBy: { id: "asc" } })).map((t) => t.tokenHash)).toEqual(["rotated-but-not-expired", "current"]);
    expect(await db().outboxEmail.count()).toBe(2);
    expect(await db().auditEvent.count()).toBe(1);
  });

  it("lets one sweeper at a time work: the others find the lease taken until it runs out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const results = await Promise.all([sweepOnce(), sweepOnce(), sweepOnce()]);
    // The previous test's sweep still holds the lease (five minutes).
    expect(results).toEqual([null, null, null]);
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1000);
    const next = await Promise.all([sweepOnce(), sweepOnce(), sweepOnce()]);
    expect(next.filter((r) => r !== null)).toHaveLength(1);
  });

  it("deletes in bounded batches and goes on until nothing is left", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 60 * 60_000);
    await db().rateLimit.createMany({ data: Array.from({ length: 1234 }, (_, i) => ({ key: `old-${i}`, count: 1, windowEnds: at(1000) })) });
    const report = await sweepOnce();
    expect(report?.windows).toBe(1234);
    expect(report?.backlog).toBe(false);
    expect(await db().rateLimit.count({ where: { key: { startsWith: "old-" } } })).toBe(0);
  });

  it("lets requests in between its batches: a sweep never holds the event loop for more than one batch", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3 * 60 * 60_000);
    await db().rateLimit.createMany({ data: Array.from({ length: 2600 }, (_, i) => ({ key: `busy-${i}`, count: 1, windowEnds: at(1000) })) });
    // Other work (a request's I/O callback, here a timer) queued while the sweep runs.
    let turns = 0;
    const other = setInterval(() => turns++, 0);
    try {
      const report = await sweepOnce();
      expect(report?.windows).toBe(2600);
    } finally {
      clearInterval(other);
    }
    // Six batches of windows and one of each other table: the loop came round between them.
    expect(turns).toBeGreaterThanOrEqual(6);
  });

  it("stops a table at its cap, says a backlog is left and hands the lease back so the next sweep can follow at once", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 4 * 60 * 60_000);
    const cap = 20 * 500;
    await db().rateLimit.createMany({ data: Array.from({ length: cap + 700 }, (_, i) => ({ key: `backlog-${i}`, count: 1, windowEnds: at(1000) })) });

    const first = await sweepOnce();
    expect(first).toMatchObject({ windows: cap, backlog: true });
    expect(first?.batches).toBeGreaterThanOrEqual(20);
    const second = await sweepOnce();
    expect(second).toMatchObject({ windows: 700, backlog: false });
    expect(await db().rateLimit.count({ where: { key: { startsWith: "backlog-" } } })).toBe(0);
    // Without a backlog the lease is kept for half the interval, as before.
    expect(await sweepOnce()).toBeNull();
  });

  it("halves a table's batches while they are slow, down to a floor, so that no one batch holds the database long", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 5 * 60 * 60_000);
    await db().rateLimit.createMany({ data: Array.from({ length: 1200 }, (_, i) => ({ key: `slow-${i}`, count: 1, windowEnds: at(1000) })) });
    // Every batch seems to take 50 ms or more: over the 20 ms a batch may take.
    let clock = 0;
    const slow = vi.spyOn(performance, "now").mockImplementation(() => (clock += 50));
    const recorder = recordStatements();
    try {
      expect(await sweepOnce()).toMatchObject({ windows: 1200, backlog: false });
    } finally {
      recorder.stop();
      slow.mockRestore();
    }
    const windowBatches = recorder.statements.filter((text) => /DELETE FROM "RateLimit" WHERE "key" IN \(SELECT/.test(text));
    // 500, 250, 125, 62, then 50 at a time for the 263 left (the last finds 13): ten statements, where fixed batches made three.
    expect(windowBatches).toHaveLength(10);
    expect(await db().rateLimit.count({ where: { key: { startsWith: "slow-" } } })).toBe(0);
  });
});

describe("nextBatchSize", () => {
  it("halves a batch over 20 ms down to 50 rows, doubles one under 5 ms up to 500, and keeps one between", async () => {
    const { nextBatchSize } = await import("./housekeeping");
    expect(nextBatchSize(500, 21)).toBe(250);
    expect(nextBatchSize(62, 300)).toBe(50);
    expect(nextBatchSize(50, 300)).toBe(50);
    expect(nextBatchSize(50, 4)).toBe(100);
    expect(nextBatchSize(400, 1)).toBe(500);
    expect(nextBatchSize(200, 20)).toBe(200);
    expect(nextBatchSize(200, 5)).toBe(200);
  });
});

const { planOf, recordStatements } = await import("@/lib/db/testing");

describe("a sweep's statements", () => {
  it("find what they delete through an index, oldest first: none reads a whole table or sorts what it found", async () => {
    // An earlier test's sweep may hold the lease.
    await db().rateLimit.deleteMany({ where: { key: { startsWith: "lease:" } } });
    const recorder = recordStatements();
    try {
      expect(await sweepOnce()).not.toBeNull();
    } finally {
      recorder.stop();
    }
    const statements = recorder.statements.map((text, i) => ({ text, values: recorder.values[i]! })).filter((s) => /^\s*(SELECT|DELETE|UPDATE)/i.test(s.text));
    expect(statements.filter((s) => /^\s*DELETE/i.test(s.text)).length).toBeGreaterThanOrEqual(7);
    for (const { text, values } of statements) {
      const plan = (await planOf(text, values)).join("\n");
      // SQLite: "SCAN t" without an index, or a temporary B-tree to sort; PostgreSQL: a sequential scan, or a sort.
      expect(plan, text).not.toMatch(/^SCAN \S+$|USE TEMP B-TREE FOR ORDER BY|Seq Scan|Sort\b/m);
    }
  });
});
