import pg from "pg";
import { log } from "@/lib/log";

/**
 * The cache of credential checks on PostgreSQL (ADR 019): the rows a check of a presented
 * credential reads, kept in this process, so that a credential checked a moment ago costs no round
 * trip. Two checks use it: a session check (a session and its user: lib/db/sessions.ts) and the
 * provider's check of an access token (the token with its grant, its provider session and its
 * account: lib/db/oauth.ts, for userinfo and introspection). On SQLite a check is a function call
 * and nothing is kept.
 *
 * What keeps it true:
 * - Triggers name every row whose change could change a check's answer (the migrations
 *   session_check_cache, session_check_triggers_by_column and oauth_token_check_triggers): on
 *   "Session" and "User" any change but a session's lastUsedAt and an account's lastLoginAt and
 *   updatedAt, and every deletion (but a revoked session's); on "OAuthModel" any change of an access
 *   token, a grant or a provider session that has not long expired. Each one is told twice:
 *   - as a NOTIFY on CHANNEL, which PostgreSQL delivers to every instance's listening connection
 *     when the writing transaction commits (other instances, the CLI, an operator's psql);
 *   - as a NOTICE to the connection that wrote it, which arrives before the statement's answer:
 *     this process forgets the row then, and again when that connection's transaction ends, so a
 *     request that follows a sign-out here never meets the row that was signed out.
 * - Each entry names the change keys it depends on, and any of them told drops it.
 * - A read that started before a change was told is not kept (`ticket`).
 * - Nothing is kept while the listening connection is not known to work: it is checked every
 *   HEARTBEAT_MS by a notification it sends itself, and everything is forgotten when it is lost.
 * - An entry is served for at most `ttlMs`, and only to confirm: its reader checks again that what
 *   it holds has not ended with time (a session idle too long, a token expired) and reads the
 *   database if it has.
 * What it costs: on another instance a change takes effect when its notification arrives (well
 * under a millisecond on one host, one network hop on several), not with the commit itself.
 */
export const CHANNEL = "auth_session_check";
const HEARTBEAT_MS = 1000;
const RECONNECT_MS = 1000;
const MAX_ENTRIES = 10_000;
/** The listening connection's name in pg_stat_activity. */
export const LISTENER_NAME = "auth session checks";

/**
 * A change's key as the triggers write it: `s:<session id>`, `u:<account id>`, or `o:<id>` for a
 * provider's access token or grant by its id and a provider session by its uid.
 */
type ChangeKey = string;
const KNOWN_KEYS = /^[suo]:/;

export class SessionChecks<Row> {
  private readonly entries = new Map<string, { row: Row; dependsOn: readonly ChangeKey[]; until: number }>();
  /** For each change key, the entries that depend on it. */
  private readonly dependents = new Map<ChangeKey, Set<string>>();
  /** Counts every change told and every loss: a read whose ticket is older is not kept. */
  private epoch = 0;
  private serving = false;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** The row kept under `key`, if it is kept and young enough. */
  get(key: string): Row | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > performance.now()) return entry.row;
    this.drop(key);
    return undefined;
  }

  /** Taken before a read from the database; the read is kept only if nothing changed since. */
  ticket(): number | null {
    return this.serving ? this.epoch : null;
  }

  /** Keeps `row` under `key` until any of `dependsOn` is told changed (or its time is up). */
  remember(key: string, dependsOn: readonly ChangeKey[], row: Row, ticket: number | null): void {
    if (ticket === null || ticket !== this.epoch || !this.serving) return;
    this.drop(key);
    if (this.entries.size >= this.maxEntries) this.drop(this.entries.keys().next().value!);
    this.entries.set(key, { row, dependsOn, until: performance.now() + this.ttlMs });
    for (const change of dependsOn) {
      let keys = this.dependents.get(change);
      if (!keys) this.dependents.set(change, (keys = new Set()));
      keys.add(key);
    }
  }

  /** A change told by a trigger: every entry that depends on it is read again. */
  changed(change: ChangeKey): void {
    this.epoch++;
    // A key this version does not know (a later migration's): forget everything rather than guess.
    if (!KNOWN_KEYS.test(change)) return this.forgetAll();
    const keys = this.dependents.get(change);
    if (keys) for (const key of [...keys]) this.drop(key);
  }

  /** Serving starts once changes are heard, and stops (forgetting everything) when they may not be. */
  setServing(serving: boolean): void {
    this.forgetAll();
    this.serving = serving;
  }

  get isServing(): boolean {
    return this.serving;
  }

  get size(): number {
    return this.entries.size;
  }

  private forgetAll(): void {
    this.epoch++;
    this.entries.clear();
    this.dependents.clear();
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const change of entry.dependsOn) {
      const keys = this.dependents.get(change);
      keys?.delete(key);
      if (keys?.size === 0) this.dependents.delete(change);
    }
  }
}

// Process-wide: Next.js may load lib/ more than once, and every copy must see the same cache.
const holder = globalThis as unknown as { __authSessionChecks?: { cache: SessionChecks<unknown>; stop: () => Promise<void> } };

/** The running cache, or undefined (SQLite, a CLI, SESSION_CACHE_SECONDS=0, or not started yet). */
export function sessionChecks<Row>(): SessionChecks<Row> | undefined {
  return holder.__authSessionChecks?.cache as SessionChecks<Row> | undefined;
}

/**
 * Starts the cache: a connection of its own (`connection`: the pool's settings) LISTENs to
 * CHANNEL, and the cache serves from the moment that is done (in the background: a server whose
 * database is down starts, and the cache follows when it is back).
 */
export function startSessionChecks(connection: pg.ClientConfig, ttlMs: number): SessionChecks<unknown> {
  if (holder.__authSessionChecks) return holder.__authSessionChecks.cache;
  const cache = new SessionChecks<unknown>(ttlMs);
  const nonce = `${process.pid}.${Math.random().toString(36).slice(2)}`;
  let client: pg.Client | undefined;
  let stopped = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let pingsSent = 0;
  let pingsHeard = 0;

  /** Stops serving and closes the listening connection, its events no longer heard. */
  const close = async () => {
    cache.setServing(false);
    clearInterval(heartbeat);
    const last = client;
    client = undefined;
    last?.removeAllListeners();
    last?.on("error", () => {});
    await last?.end().catch(() => {});
  };

  const lose = (why: string, error?: unknown) => {
    if (cache.isServing) log.warn("session check cache off: its notifications may be missed", { why, error });
    void close();
    if (!stopped && !reconnect) reconnect = setTimeout(listen, RECONNECT_MS).unref();
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== CHANNEL || message.payload === undefined) return;
    const payload = message.payload;
    if (payload.startsWith("ping:")) {
      if (payload === `ping:${nonce}:${pingsSent}`) pingsHeard = pingsSent;
      return;
    }
    cache.changed(payload);
  };

  async function listen(): Promise<void> {
    reconnect = undefined;
    if (stopped) return;
    const listening = new pg.Client({ ...connection, application_name: LISTENER_NAME });
    client = listening;
    listening.on("notification", onNotification);
    listening.on("error", (error) => lose("connection error", error));
    listening.on("end", () => lose("connection ended"));
    try {
      await listening.connect();
      await listening.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      if (client === listening) lose("could not listen", error);
      return;
    }
    if (client !== listening || stopped) return;
    pingsSent = pingsHeard = 0;
    cache.setServing(true);
    heartbeat = setInterval(() => {
      // The last ping must have come back through the notification path before the next goes.
      if (pingsHeard !== pingsSent) return lose("heartbeat missed");
      pingsSent++;
      listening.query("SELECT pg_notify($1, $2)", [CHANNEL, `ping:${nonce}:${pingsSent}`]).catch((error: unknown) => lose("heartbeat failed", error));
    }, HEARTBEAT_MS).unref();
  }

  void listen();
  holder.__authSessionChecks = {
    cache,
    stop: async () => {
      stopped = true;
      clearTimeout(reconnect);
      await close();
    },
  };
  return cache;
}

export async function stopSessionChecks(): Promise<void> {
  const running = holder.__authSessionChecks;
  holder.__authSessionChecks = undefined;
  await running?.stop();
}

const PENDING = Symbol.for("auth.sessionChecks.pending");
type WatchedClient = pg.PoolClient & { [PENDING]?: Set<ChangeKey>; connection?: { on(event: "readyForQuery", listener: (message: { status?: string }) => void): void } };

/**
 * This process's own changes, told on the connection that makes them (the triggers' NOTICE): the
 * row is forgotten as the statement answers, and again when the connection's transaction has ended
 * (the server then says it is idle), so a read that ran between the statement and the commit is
 * not kept either. Installed on every connection of `pool` as it is made.
 */
export function watchSessionCheckChanges(pool: pg.Pool): void {
  pool.on("connect", (connected) => {
    const client = connected as WatchedClient;
    client.on("notice", (notice) => {
      const text = notice.message ?? "";
      if (!text.startsWith(`${CHANNEL} `)) return;
      const key = text.slice(CHANNEL.length + 1);
      sessionChecks()?.changed(key);
      (client[PENDING] ??= new Set()).add(key);
    });
    client.connection?.on("readyForQuery", (message) => {
      const pending = client[PENDING];
      if (!pending || message.status !== "I") return;
      client[PENDING] = undefined;
      const cache = sessionChecks();
      for (const key of pending) cache?.changed(key);
    });
  });
}
