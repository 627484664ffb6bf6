import { now } from "@/lib/clock";
import { database, transaction } from "@/lib/db";
import {
  claimDueEmails,
  markAttemptFailed,
  recordSent,
  releaseClaims,
  type OutboxRow,
  type SentEmail,
} from "@/lib/db/outbox";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { createTransport, devMailboxEnabled, isPermanentFailure, type MailTransport } from "./transport";

/**
 * The background sender: delivers outbox rows (lib/db/outbox.ts) and retries failures with
 * backoff. Requests never send mail themselves; they enqueue inside their transaction and call
 * `nudgeMailSender()` after committing, so mail usually leaves within milliseconds while an SMTP
 * outage never slows down or fails a request.
 */

/** Rows claimed per round; a full round means more may be waiting, so the next starts at once. */
const BATCH_SIZE = 10;
/** Longer than the longest send (SEND_DEADLINE_MS), so a lease never runs out mid-send. */
const LEASE_MS = 2 * 60_000;
const SEND_DEADLINE_MS = 60_000;
/** Picks up mail enqueued by other instances, and retries that fall due. */
const IDLE_POLL_MS = 1_000;
const MAX_DB_BACKOFF_MS = 30_000;

/** Retry schedule: 5 s, 15 s, 45 s, 2¼ min, 6¾ min, ~20 min, then every 30 min, ±20 % jitter. */
const FIRST_RETRY_MS = 5_000;
const RETRY_FACTOR = 3;
const MAX_RETRY_MS = 30 * 60_000;
const JITTER = 0.2;
/** A verification or reset mail that has not left after a day is of no use to anyone. */
const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;


/** Delay before the next attempt after `failedAttempts` failures (≥ 1), without jitter. */
export function baseRetryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * RETRY_FACTOR ** (failedAttempts - 1), MAX_RETRY_MS);
}

/** With jitter, so rows that failed together (one relay outage) don't all retry in the same second. */
export function retryDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  const spread = 1 + JITTER * (2 * random() - 1);
  return Math.round(baseRetryDelayMs(failedAttempts) * spread);
}

/** Attempts whose scheduled delays add up to GIVE_UP_AFTER_MS (54 with the constants above). */
function attemptsWithin(totalMs: number): number {
  let attempts = 1;
  for (let waited = 0; waited < totalMs; attempts++) waited += baseRetryDelayMs(attempts);
  return attempts;
}

/** After this many failed attempts a row is marked "failed" and never tried again. */
export const MAX_ATTEMPTS = attemptsWithin(GIVE_UP_AFTER_MS);

// ---- one round

export interface DeliveryRound {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
}

type Outcome = "sent" | "retrying" | "failed";

/**
 * Claims up to BATCH_SIZE due rows and tries each once. Per-row failures are recorded on the row;
 * only a failure to claim (database unreachable) rejects. Rows delivered in an earlier round and
 * not yet recorded are recorded in the same commit as this round's claims. With `recordSentLater`
 * (the loop, while mail keeps coming) this round's deliveries wait for the next round's commit:
 * one commit per round instead of one more per mail. Their rows stay leased meanwhile, so no
 * other instance sends them; `recordDeliveries` writes them at once.
 */
export async function deliverDueEmailsOnce(options: { recordSentLater?: boolean } = {}): Promise<DeliveryRound> {
  const earlier = state.delivered.splice(0);
  let rows: OutboxRow[];
  try {
    rows =
      earlier.length > 0
        ? await transaction(async (tx) => {
            await recordSent(tx, earlier, recordOptions());
            return claimDueEmails(tx, BATCH_SIZE, LEASE_MS);
          })
        : await claimDueEmails(database, BATCH_SIZE, LEASE_MS);
  } catch (error) {
    state.delivered.unshift(...earlier);
    throw error;
  }
  const round: DeliveryRound = { claimed: rows.length, sent: 0, retrying: 0, failed: 0 };
  if (rows.length > 0) {
    const transport = currentTransport();
    const outcomes = await Promise.allSettled(rows.map((row) => deliver(row, transport)));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "fulfilled") round[outcome.value]++;
      else reportUnrecorded(rows[i]!, outcome.reason);
    }
  }
  if (!options.recordSentLater) await recordDeliveries();
  return round;
}

/** Records the rows delivered and not yet recorded as sent, in one commit. */
export async function recordDeliveries(): Promise<void> {
  const delivered = state.delivered.splice(0);
  if (delivered.length === 0) return;
  try {
    await transaction((tx) => recordSent(tx, delivered, recordOptions()));
  } catch (error) {
    // Still leased: recorded with a later round, or sent again after the lease (at-least-once).
    state.delivered.unshift(...delivered);
    throw error;
  }
}

const recordOptions = () => ({ eraseBody: eraseSentBodies() });

async function deliver(row: OutboxRow, transport: MailTransport): Promise<Outcome> {
  state.inFlight.add(row.id);
  try {
    return await deliverClaimed(row, transport);
  } finally {
    state.inFlight.delete(row.id);
  }
}

async function deliverClaimed(row: OutboxRow, transport: MailTransport): Promise<Outcome> {
  try {
    await withDeadline(transport.send(row), SEND_DEADLINE_MS);
  } catch (error) {
    return recordFailure(row, error);
  }
  state.delivered.push({ id: row.id, sentAt: now() });
  if (transport.kind === "smtp") log.info("mail sent", { id: row.id, kind: row.kind, attempts: row.attempts + 1 });
  return "sent";
}

async function recordFailure(row: OutboxRow, error: unknown): Promise<Outcome> {
  const attempts = row.attempts + 1;
  const message = error instanceof Error ? error.message : String(error);
  const giveUp = attempts >= MAX_ATTEMPTS || isPermanentFailure(error);
  const retryAt = giveUp ? null : new Date(now().getTime() + retryDelayMs(attempts));
  await markAttemptFailed(database, row.id, message, retryAt, { eraseBody: eraseSentBodies() });
  metrics().mailFailures.inc({ kind: row.kind, final: retryAt ? "no" : "yes" });
  if (retryAt) {
    log.warn("mail delivery failed; will retry", { id: row.id, kind: row.kind, attempts, retryAt, error: message });
    return "retrying";
  }
  log.error("mail delivery failed; giving up", { id: row.id, kind: row.kind, attempts, error: message });
  return "failed";
}

/**
 * The row's outcome could not be written (database trouble). Its lease runs out and it is tried
 * again; if the mail had already been accepted, the recipient gets it twice — at-least-once.
 */
function reportUnrecorded(row: OutboxRow, error: unknown) {
  log.error("mail outcome not recorded; the row will be retried after its lease", { id: row.id, error });
}

/** No readable copy of a token stays once its mail has left (or been given up on), unless the dev mailbox shows it. */
function eraseSentBodies(): boolean {
  return !devMailboxEnabled();
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`SMTP send did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

// ---- the loop

interface SenderState {
  transport?: MailTransport;
  loop?: Promise<void>;
  stopping: boolean;
  /** Set by a nudge that arrives while a round is running, so the loop doesn't sleep past it. */
  nudged: boolean;
  wake?: () => void;
  /** Rows this process has claimed and is sending now. */
  inFlight: Set<number>;
  /** Rows the relay accepted that are not yet recorded as sent (still leased to this process). */
  delivered: SentEmail[];
}

// On globalThis so a development module reload reuses the running loop instead of starting another.
const holder = globalThis as unknown as { __authMailSender?: SenderState };
const state: SenderState = (holder.__authMailSender ??= { stopping: false, nudged: false, inFlight: new Set(), delivered: [] });
// A state kept from a version of this module without the list (a development reload).
state.delivered ??= [];

function currentTransport(): MailTransport {
  state.transport ??= createTransport();
  return state.transport;
}

/** Starts the loop once per process; later calls return the same stop function. */
export function startMailSender(): () => Promise<void> {
  if (!state.loop) {
    state.stopping = false;
    state.loop = runLoop();
    log.info("mail sender started", { transport: currentTransport().kind });
  }
  return stopMailSender;
}

/**
 * Lets the current round finish (its outcomes recorded), then closes the SMTP pool. A send still
 * running after `graceMs` (a slow relay) is abandoned and its row handed back — its lease lifted —
 * so another instance sends it at once instead of after the lease runs out.
 */
export async function stopMailSender(graceMs = 5_000): Promise<void> {
  state.stopping = true;
  state.wake?.();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
  const outcome = await Promise.race([state.loop?.then(() => "done" as const), grace]);
  clearTimeout(timer);
  if (outcome === "late" && state.inFlight.size > 0) {
    const handedBack = await releaseClaims(database, [...state.inFlight]);
    log.warn("mail sender stopped with sends in flight; their rows were handed back", { handedBack });
  }
  if (outcome === "late") await recordDeliveries().catch((error: unknown) => reportUnrecordedDeliveries(error));
  state.loop = undefined;
  state.transport?.close();
  state.transport = undefined;
}

/** Call after committing a transaction that enqueued mail. A no-op when the loop isn't running. */
export function nudgeMailSender(): void {
  state.nudged = true;
  state.wake?.();
}

async function runLoop(): Promise<void> {
  let failures = 0;
  while (!state.stopping) {
    state.nudged = false;
    let moreWaiting = false;
    try {
      moreWaiting = (await deliverDueEmailsOnce({ recordSentLater: true })).claimed === BATCH_SIZE;
      // Nothing more to do at once: record what left now rather than with a later round.
      if (!moreWaiting && !state.nudged) await recordDeliveries();
      failures = 0;
    } catch (error) {
      failures++;
      log.error("mail sender round failed; retrying", { error, consecutiveFailures: failures });
    }
    if (failures > 0) await sleep(Math.min(IDLE_POLL_MS * 2 ** (failures - 1), MAX_DB_BACKOFF_MS));
    else if (!moreWaiting && !state.nudged) await sleep(IDLE_POLL_MS);
  }
  await recordDeliveries().catch((error: unknown) => reportUnrecordedDeliveries(error));
}

function reportUnrecordedDeliveries(error: unknown) {
  log.error("delivered mail not recorded as sent; the rows will be sent again after their lease", { rows: state.delivered.length, error });
}

/** Waits `ms`, or less if nudged or stopped. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    // The sender alone must not keep a process (a test run, a CLI) alive.
    timer.unref();
    function done() {
      clearTimeout(timer);
      state.wake = undefined;
      resolve();
    }
    state.wake = done;
  });
}
