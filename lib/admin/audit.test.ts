import { describe, expect, it } from "vitest";
import { DAY, advance, appError, appSession, failure, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

/** The console's audit log, in-process: filters, keyset pages, CSV; and the daily figures. */

process.env.ADMIN_REQUIRE_TWO_FACTOR = "false";
const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { now } = await import("@/lib/clock");
const { grantRole } = await import("@/lib/auth/admin");
const { recordAudit } = await import("@/lib/db/audit");
const { indexDefinition, planOf } = await import("@/lib/db/testing");
const { eraseUser } = await import("@/lib/db/users");
const { auditCsv, listAudit } = await import("./audit");
const { dailyStats } = await import("./stats");
const { countRefusal, flushRefusalCounts, unsavedRefusals } = await import("@/lib/auth/refusal-counts");

async function signedInAdmin() {
  const { email } = await verifiedUser("admin");
  return (await appSession(await grantRole(email, "admin"))).caller;
}

async function csvOf(lines: AsyncGenerator<string>) {
  let text = "";
  for await (const line of lines) text += line;
  return text;
}

describe("the audit log", () => {
  it("filters by user, type and time, and pages newest first without repeating an event", async () => {
    const caller = await signedInAdmin();
    const { user } = await verifiedUser("audited");
    const start = new Date();
    for (let i = 0; i < 5; i++) {
      advance(1000);
      await recordAudit(database, { type: "test_event", userId: user.id, detail: { i } });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listAudit>> = await listAudit(caller, { userId: user.id, type: "test_event", limit: 2, cursor });
      seen.push(...page.events.map((e) => e.details!.i as number));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    const window = await listAudit(caller, { userId: user.id, since: new Date(start.getTime() + 2500), until: new Date(start.getTime() + 4500) });
    expect(window.events.map((e) => e.details!.i)).toEqual([3, 2]);
    expect((await listAudit(caller, { userId: user.id })).events.map((e) => e.type)).toContain("signup");
    expect(await failure(listAudit(caller, { cursor: "bad" }))).toMatchObject(appError("VALIDATION", "cursor"));
  });

  it("names each event's account and acting admin by address, and by id alone once the account is erased", async () => {
    const caller = await signedInAdmin();
    const { user } = await verifiedUser("named");
    const gone = await signedInAdmin();
    await recordAudit(database, { type: "named_event", userId: user.id, actorId: caller.user.id });
    advance(1000);
    await recordAudit(database, { type: "named_event", userId: user.id, actorId: gone.user.id });
    await eraseUser(database, gone.user);
    const { events } = await listAudit(caller, { type: "named_event" });
    expect(events.map((e) => [e.userEmail, e.actorId, e.actorEmail])).toEqual([
      [user.email, gone.user.id, null],
      [user.email, caller.user.id, caller.user.email],
    ]);
  });

  it("indexes by actor only the events an admin made, and finds those through that index", async () => {
    // Most events (every sign-in) have no actor: an index of their nulls would grow with all of them.
    expect(await indexDefinition("AuditEvent_actorId_createdAt_idx")).toMatch(/WHERE \(?"?actorId"? IS NOT NULL\)?$/);
    const plan = await planOf(`SELECT "id" FROM "AuditEvent" WHERE "actorId" = 1 ORDER BY "createdAt" DESC LIMIT 10`, []);
    expect(plan.join("\n")).toContain("AuditEvent_actorId_createdAt_idx");
  });

  it("exports the same rows as CSV, quoting what needs it and defusing formulas", async () => {
    const caller = await signedInAdmin();
    const { user } = await verifiedUser("csv");
    await recordAudit(database, { type: "csv_event", userId: user.id, ip: "198.51.100.1", userAgent: '=HYPERLINK("x"), "quoted"', detail: { note: "a,b" } });
    const text = await csvOf(auditCsv(caller, { userId: user.id, type: "csv_event" }));
    const [header, row, end] = text.split("\r\n");
    expect(header).toBe("id,at,type,userid,actor,ip,user_agent,details");
    expect(row).toMatch(new RegExp(`^\\d+,[0-9T:.Z-]+,csv_event,${user.id},,198\\.51\\.100\\.1,"'=HYPERLINK\\(""x""\\), ""quoted""","\\{""note"":""a,b""\\}"$`));
    expect(end).toBe("");
  });

  it("is the admins' only", async () => {
    const { user } = await verifiedUser("nosy");
    const { caller } = await appSession(user);
    expect(await failure(listAudit(caller))).toMatchObject(appError("FORBIDDEN"));
    expect(await failure(csvOf(auditCsv(caller)))).toMatchObject(appError("FORBIDDEN"));
    expect(await failure(dailyStats(caller))).toMatchObject(appError("FORBIDDEN"));
  });
});

describe("the daily figures", () => {
  it("count sign-ups, verifications, sign-ins, failures and 429s per UTC day, with totals", async () => {
    advance(DAY);
    const caller = await signedInAdmin();
    const before = await dailyStats(caller, 3);
    expect(before.days.map((d) => d.date)).toEqual([0, 1, 2].map((i) => new Date(Date.now() - (2 - i) * DAY).toISOString().slice(0, 10)));
    await verifiedUser("counted");
    await recordAudit(database, { type: "login_failed" });
    countRefusal();
    const after = await dailyStats(caller, 3);
    const today = (s: typeof after) => s.days.at(-1)!;
    expect(today(after).signups - today(before).signups).toBe(1);
    expect(today(after).verified - today(before).verified).toBe(1);
    expect(today(after).failedLogins - today(before).failedLogins).toBe(1);
    expect(today(after).rateLimited - today(before).rateLimited).toBe(1);
    expect(after.totals.signups).toBe(after.days.reduce((n, d) => n + d.signups, 0));
    expect(after.totals.users).toBe(before.totals.users + 1);
  });

  it("count a finished day once and keep it; today is counted afresh each time", async () => {
    advance(DAY);
    const caller = await signedInAdmin();
    const yesterday = new Date(now().getTime() - DAY);
    const first = await dailyStats(caller, 2);
    // An event written into yesterday after it was counted (as no instance does: events are written with the time they happen).
    await db().auditEvent.create({ data: { type: "login", createdAt: yesterday } });
    const again = await dailyStats(caller, 2);
    expect(again.days[0]).toEqual(first.days[0]);
    await recordAudit(database, { type: "login" });
    expect((await dailyStats(caller, 2)).days[1]!.logins).toBe(again.days[1]!.logins + 1);
  });

  it("count 429s without a write per refusal: gathered in memory, shown at once, added in one statement per day", async () => {
    advance(DAY);
    const caller = await signedInAdmin();
    const before = (await dailyStats(caller, 1)).totals.rateLimited;
    for (let i = 0; i < 5; i++) countRefusal();
    expect([...unsavedRefusals().values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
    expect((await dailyStats(caller, 1)).totals.rateLimited).toBe(before + 5);
    await flushRefusalCounts();
    expect(unsavedRefusals().size).toBe(0);
    expect((await dailyStats(caller, 1)).totals.rateLimited).toBe(before + 5);
  });
});
