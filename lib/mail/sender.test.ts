import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { database, transaction } from "@/lib/db";
import { useTestDatabase } from "@/lib/db/testing";
import { startMailSink, type CapturedMail } from "@/e2e/support/mail-sink";
import { now } from "@/lib/clock";
import { claimDueEmails, enqueueEmail, pendingCount, recordSent, type NewEmail } from "@/lib/db/outbox";
import { commitsOf } from "@/lib/db/sqlite-statements";
import { recordStatements } from "@/lib/db/testing";
import {
  baseRetryDelayMs,
  deliverDueEmailsOnce,
  MAX_ATTEMPTS,
  nudgeMailSender,
  recordDeliveries,
  retryDelayMs,
  startMailSender,
  stopMailSender,
} from "./sender";
import { verificationEmail } from "./templates";
import { isPermanentFailure } from "./transport";

// Everything config() reads must be in place before the first call caches it: the database (set
// by useTestDatabase), the SMTP sink, and a clock the tests can move.
const db = useTestDatabase();
const sink = await startMailSink();
process.env.SMTP_URL = sink.smtpUrl;
process.env.MAIL_FROM = "no-reply@auth.test";
const clockDir = mkdtempSync(path.join(tmpdir(), "auth-clock-"));
process.env.AUTH_TEST_CLOCK_FILE = path.join(clockDir, "offset");

// lib/clock.ts reads the offset file on every call.
const setClockOffset = (ms: number) => writeFileSync(process.env.AUTH_TEST_CLOCK_FILE!, String(ms));

async function setOutage(on: boolean) {
  await fetch(`${sink.apiUrl}/outage?on=${on ? 1 : 0}`, { method: "POST" });
}

async function received(to?: string): Promise<CapturedMail[]> {
  const res = await fetch(`${sink.apiUrl}/messages${to ? `?to=${encodeURIComponent(to)}` : ""}`);
  return (await res.json()) as CapturedMail[];
}

function mail(to: string, subject = "Hello"): NewEmail {
  return { to, kind: "verification", subject, text: `Text of ${subject}`, html: `<p>${subject}</p>` };
}

const row = (id: number) => db().outboxEmail.findUniqueOrThrow({ where: { id } });

/** The newest outbox row to `to` (enqueueEmail gives no id: nothing in a request reads it back). */
const newestTo = (to: string) => db().outboxEmail.findFirstOrThrow({ where: { to }, orderBy: { id: "desc" }, select: { id: true } });

/** Enqueues `email` outside any transaction and gives its row's id. */
async function enqueue(email: NewEmail): Promise<{ id: number }> {
  await enqueueEmail(database, email);
  return newestTo(email.to);
}

/** Runs rounds until nothing is due, as the loop would. */
async function drain() {
  let sent = 0;
  for (;;) {
    const round = await deliverDueEmailsOnce();
    sent += round.sent;
    if (round.claimed === 0) return sent;
  }
}

beforeEach(async () => {
  setClockOffset(0);
  await setOutage(false);
  await fetch(`${sink.apiUrl}/messages`, { method: "DELETE" });
  await db().outboxEmail.deleteMany();
});

afterAll(async () => {
  await stopMailSender();
  await sink.close();
  rmSync(clockDir, { recursive: true, force: true });
});

describe("outbox", () => {
  it("commits a mail only with the transaction that enqueued it", async () => {
    await expect(
      transaction(async (tx) => {
        await enqueueEmail(tx, mail("rolled-back@example.com"));
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect(await pendingCount(database)).toBe(0);

    await transaction((tx) => enqueueEmail(tx, mail("committed@example.com")));
    expect(await pendingCount(database)).toBe(1);
  });

  it("hands each due row to only one of two concurrent claimers", async () => {
    for (let i = 0; i < 8; i++) await enqueueEmail(database, mail(`claim${i}@example.com`));
    const [a, b] = await Promise.all([claimDueEmails(database, 10, 60_000), claimDueEmails(database, 10, 60_000)]);
    const ids = [...a, ...b].map((r) => r.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    // Leased rows are not claimable until the lease runs out.
    expect(await claimDueEmails(database, 10, 60_000)).toEqual([]);
    setClockOffset(61_000);
    expect(await claimDueEmails(database, 10, 60_000)).toHaveLength(8);
  });

  it("can erase the body of a sent row", async () => {
    const { id } = await enqueue(mail("erase@example.com"));
    await recordSent(database, [{ id, sentAt: now() }], { eraseBody: true });
    expect(await row(id)).toMatchObject({ status: "sent", text: "", html: "", attempts: 1 });
  });
});

describe("deliverDueEmailsOnce", () => {
  it("delivers an enqueued mail over SMTP with its subject and body", async () => {
    const link = "http://localhost:3000/confirm?token=tok_123";
    const content = await verificationEmail({ appName: "Acme", locale: "en", code: "4821", link, expiresInMinutes: 10, linkExpiresInHours: 24 });
    await transaction((tx) => enqueueEmail(tx, { to: "alice@example.com", kind: "verification", ...content }));
    const { id } = await newestTo("alice@example.com");

    expect(await deliverDueEmailsOnce()).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });

    const [message, ...others] = await received("alice@example.com");
    expect(others).toEqual([]);
    expect(message!.subject).toBe("Verify your e-mail address for Acme");
    expect(message!.from).toBe("no-reply@auth.test");
    expect(message!.text.match(/\b(\d{4})\b/)?.[1]).toBe("4821");
    expect(message!.text.split("\n").map((l) => l.trim())).toContain(link);
    expect(message!.html).toContain(`href="${link}"`);

    const sent = await row(id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1, lockedUntil: null, lastError: null });
    expect(sent.sentAt).toBeInstanceOf(Date);
    // The body held a live code and link: once sent, only the dev mailbox (no SMTP_URL) keeps it.
    expect(sent.text).toBe("");
    expect(sent.html).toBe("");
    expect(await deliverDueEmailsOnce()).toMatchObject({ claimed: 0 });
  });

  it("with recordSentLater, records a round's deliveries in the next round's commit, its claims' (one commit for both)", async () => {
    const first = await enqueue(mail("first@example.com", "First"));
    expect(await deliverDueEmailsOnce({ recordSentLater: true })).toMatchObject({ claimed: 1, sent: 1 });
    expect(await received("first@example.com")).toHaveLength(1);
    // Delivered, not yet recorded: still leased to this process, so no one claims it again.
    expect(await row(first.id)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await claimDueEmails(database, 10, 60_000)).toEqual([]);

    const second = await enqueue(mail("second@example.com", "Second"));
    const recorder = recordStatements();
    try {
      expect(await deliverDueEmailsOnce({ recordSentLater: true })).toMatchObject({ claimed: 1, sent: 1 });
    } finally {
      recorder.stop();
    }
    expect(commitsOf(recorder.statements)).toBe(1);
    expect(await row(first.id)).toMatchObject({ status: "sent", attempts: 1, lockedUntil: null });
    expect(await row(second.id)).toMatchObject({ status: "pending" });

    await recordDeliveries();
    expect(await row(second.id)).toMatchObject({ status: "sent", attempts: 1, lockedUntil: null, text: "", html: "" });
    expect((await row(second.id)).sentAt).toBeInstanceOf(Date);
  });

  it("keeps a mail through an SMTP outage and delivers it once the retry is due", async () => {
    const { id } = await enqueue(mail("bob@example.com", "During the outage"));
    await setOutage(true);

    expect(await deliverDueEmailsOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    const failed = await row(id);
    expect(failed).toMatchObject({ status: "pending", attempts: 1, lockedUntil: null, sentAt: null });
    expect(failed.lastError).toMatch(/451/);
    const wait = failed.nextAttemptAt.getTime() - now().getTime();
    expect(wait).toBeGreaterThan(0.8 * 5_000 - 1_000);
    expect(wait).toBeLessThanOrEqual(1.2 * 5_000);

    // Not due yet: nothing is tried, even after the relay recovers.
    await setOutage(false);
    expect(await deliverDueEmailsOnce()).toMatchObject({ claimed: 0 });
    expect(await received("bob@example.com")).toEqual([]);

    setClockOffset(wait + 1_000);
    expect(await drain()).toBe(1);
    expect(await drain()).toBe(0);
    const messages = await received("bob@example.com");
    expect(messages.map((m) => m.subject)).toEqual(["During the outage"]);
    expect(await row(id)).toMatchObject({ status: "sent", attempts: 2, lastError: null });
  });

  it("never sends a row twice when rounds run concurrently", async () => {
    const count = 25;
    for (let i = 0; i < count; i++) await enqueueEmail(database, mail("carol@example.com", `Message ${i}`));

    let sent = 0;
    for (;;) {
      const rounds = await Promise.all([deliverDueEmailsOnce(), deliverDueEmailsOnce(), deliverDueEmailsOnce()]);
      sent += rounds.reduce((sum, r) => sum + r.sent, 0);
      if (rounds.every((r) => r.claimed === 0)) break;
    }

    expect(sent).toBe(count);
    const subjects = (await received("carol@example.com")).map((m) => m.subject);
    expect(subjects).toHaveLength(count);
    expect(new Set(subjects).size).toBe(count);
  });

  it("gives up after the last retry", async () => {
    const { id } = await enqueue(mail("dave@example.com"));
    await db().outboxEmail.update({ where: { id }, data: { attempts: MAX_ATTEMPTS - 1 } });
    await setOutage(true);

    expect(await deliverDueEmailsOnce()).toMatchObject({ claimed: 1, failed: 1, retrying: 0 });
    expect(await row(id)).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, lockedUntil: null });

    await setOutage(false);
    setClockOffset(48 * 60 * 60_000);
    expect(await deliverDueEmailsOnce()).toMatchObject({ claimed: 0 });
    expect(await received("dave@example.com")).toEqual([]);
  });
});

describe("retry schedule", () => {
  it("triples from 5 s up to 30 min", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(baseRetryDelayMs)).toEqual([
      5_000, 15_000, 45_000, 135_000, 405_000, 1_215_000, 1_800_000, 1_800_000,
    ]);
  });

  it("adds at most ±20 % jitter", () => {
    expect(retryDelayMs(1, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(1, () => 1)).toBe(6_000);
  });

  it("keeps trying for about a day", () => {
    const waited = (attempts: number) =>
      Array.from({ length: attempts - 1 }, (_, i) => baseRetryDelayMs(i + 1)).reduce((a, b) => a + b, 0);
    const day = 24 * 60 * 60_000;
    expect(waited(MAX_ATTEMPTS)).toBeGreaterThanOrEqual(day);
    expect(waited(MAX_ATTEMPTS - 1)).toBeLessThan(day);
  });

  it("gives up at once only when the relay refuses the recipient permanently", () => {
    expect(isPermanentFailure(Object.assign(new Error("550 no such user"), { code: "EENVELOPE", responseCode: 550 }))).toBe(true);
    expect(isPermanentFailure(Object.assign(new Error("451 try later"), { code: "EENVELOPE", responseCode: 451 }))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error("535 bad login"), { code: "EAUTH", responseCode: 535 }))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error("refused"), { code: "ECONNECTION" }))).toBe(false);
  });
});

describe("the background sender", () => {
  async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("sends within moments of a nudge, and start is idempotent", async () => {
    const stop = startMailSender();
    expect(startMailSender()).toBe(stop);
    try {
      // Let the loop reach its idle wait, so the delivery below is the nudge's doing.
      await new Promise((r) => setTimeout(r, 100));
      const { id } = await enqueue(mail("erin@example.com", "Nudged"));
      const started = Date.now();
      nudgeMailSender();
      const messages = await until(() => received("erin@example.com"), (m) => m.length > 0, 2_000);
      expect(messages.map((m) => m.subject)).toEqual(["Nudged"]);
      // The loop was idling in its 1 s poll wait; only the nudge gets the mail out this soon.
      expect(Date.now() - started).toBeLessThan(500);
      // With nothing more coming, the delivery is recorded at once, not with a later round.
      expect(await until(() => row(id), (r) => r.status === "sent", 500)).toMatchObject({ status: "sent" });
    } finally {
      await stop();
    }
  });

  it("leaves every delivered row recorded as sent when it stops", async () => {
    const stop = startMailSender();
    const ids: number[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        ids.push((await enqueue(mail(`burst${i}@example.com`, `Burst ${i}`))).id);
        nudgeMailSender();
      }
      await until(() => received(), (m) => m.length >= 5, 2_000);
    } finally {
      await stop();
    }
    const rows = await db().outboxEmail.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
    expect(await received()).toHaveLength(5);
  });

  it("survives the database going away and delivers once it is back", async () => {
    const { id } = await enqueue(mail("frank@example.com", "After the hiccup"));
    const logged: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      logged.push(String(chunk));
      return true;
    });
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "error";
    // Renaming the table makes every outbox query fail, as an unreachable database would.
    await db().$executeRawUnsafe(`ALTER TABLE "OutboxEmail" RENAME TO "OutboxEmailAway"`);
    const stop = startMailSender();
    try {
      await until(async () => logged, (l) => l.some((line) => line.includes("mail sender round failed")), 3_000);
      expect(logged.join("")).toContain("mail sender round failed");

      await db().$executeRawUnsafe(`ALTER TABLE "OutboxEmailAway" RENAME TO "OutboxEmail"`);
      nudgeMailSender();
      const messages = await until(() => received("frank@example.com"), (m) => m.length > 0, 5_000);
      expect(messages.map((m) => m.subject)).toEqual(["After the hiccup"]);
      expect(await row(id)).toMatchObject({ status: "sent" });
    } finally {
      await stop();
      stderr.mockRestore();
      process.env.LOG_LEVEL = level;
    }
  });
});
