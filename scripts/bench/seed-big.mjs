#!/usr/bin/env node
// A big database for the bench (`npm run bench -- --seed N`): bulk-loads N accounts, 3N sessions,
// 10N audit events and N limit windows into the database the server uses (DATABASE_URL, else
// DATA_DIR/auth.db), which must already have its schema (the server migrates at start). Stop the
// server first on SQLite: the load takes the database's write lock for seconds at a time.
//   node scripts/bench/seed-big.mjs N [--hold-lease]     → figures on stderr, one JSON line on stdout
//   node scripts/bench/seed-big.mjs --release-lease
//
// The rows look like a service's after some years: accounts over three years, sessions of seeded
// accounts (api and browser, most live, some revoked this week), an audit trail in time order
// across the event types and accounts, and limit windows of the kinds lib/auth/limits.ts keeps.
// A backlog for the sweep (lib/housekeeping.ts) of N rows in all: 0.3N ended windows, 0.3N ended
// sessions (revoked over a week ago, or idle past the refresh-token lifetime and a week), 0.4N
// audit events past AUDIT_RETENTION_DAYS (365). --hold-lease takes the sweep's lease for a day,
// as if another instance held it, so the server leaves the backlog alone until --release-lease.
//
// Fast paths: the tables' secondary indexes are dropped and built again after the load from their
// own definitions (sqlite_master, pg_indexes: the migrations stay their source); SQLite gets one
// prepared statement in transactions of 50,000 rows, PostgreSQL COPY FROM STDIN in chunks of as many.
import { hash } from "@node-rs/argon2";
import { randomUUID } from "node:crypto";
import { databaseKindOfUrl, databaseUrlFromEnv } from "../../lib/config/database-url.mjs";
import params from "../../lib/password/params.json" with { type: "json" };
import { prng } from "../prng.mjs";

const DAY = 24 * 60 * 60_000;
const CHUNK = 50_000;
const LEASE_KEY = "lease:housekeeping";
const TABLES = ["User", "Session", "AuditEvent", "RateLimit"];

const args = process.argv.slice(2);
const url = databaseUrlFromEnv();
const kind = databaseKindOfUrl(url);
const say = (line) => process.stderr.write(`[seed] ${line}\n`);

// ---- the rows, as plain values in column order; dates as Date

const random = prng(24);
const pick = (list) => list[Math.floor(random() * list.length)];
const between = (lo, hi) => lo + random() * (hi - lo);
/** A client's address as lib/http/client-address.ts keys it: an IPv6 /64 of the documentation range, one per row (the bench's own clients are 10.x.y.z). */
const ipOf = (i) => `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
const randomIp = () => `${pick([81, 86, 92, 151, 176, 203])}.${(random() * 256) | 0}.${(random() * 256) | 0}.${1 + ((random() * 254) | 0)}`;
const FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya"];
const LAST = ["Okafor", "Smith", "Müller", "Rossi", "Tanaka", "García", "Nowak", "Dubois", "Silva", "Khan", "Jensen", "Ivanova"];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
  "okhttp/4.12.0",
  "MyApp/3.2 (Android 14)",
];
/** Audit types with their weights, roughly as a service records them. */
const AUDIT_TYPES = [["login", 50], ["login_failed", 14], ["refresh", 10], ["signup", 6], ["email_verified", 5], ["logout", 5], ["password_reset_requested", 3], ["password_confirmation_failed", 2], ["signout_everywhere", 1], ["totp_setup", 1], ["oauth_consent_given", 2], ["refresh_reuse", 1]];
const AUDIT_PICK = AUDIT_TYPES.flatMap(([type, weight]) => Array(weight).fill(type));

function plan(n, now, firstUserId, roleId, passwordHash, tag) {
  const userId = () => firstUserId + Math.floor(random() * n);
  const emailOf = (i) => `u${i}.${tag}@seed.example`;
  const sessionMaxAge = 90 * DAY;
  return {
    User: {
      columns: ["id", "email", "name", "dob", "mobile", "passwordHash", "verifiedAt", "disabledAt", "roleId", "locale", "createdAt", "updatedAt"],
      count: n,
      row(i) {
        const createdAt = new Date(now - 3 * 365 * DAY * (1 - i / n) - between(0, DAY));
        const verified = random() < 0.9;
        const updatedAt = new Date(Math.min(now, createdAt.getTime() + between(0, 200 * DAY)));
        return [
          firstUserId + i, emailOf(i), random() < 0.7 ? `${pick(FIRST)} ${pick(LAST)}` : "",
          random() < 0.3 ? `19${60 + ((random() * 40) | 0)}-0${1 + ((random() * 9) | 0)}-1${(random() * 9) | 0}` : null,
          random() < 0.2 ? "+44 20 7946 0958" : "", random() < 0.97 ? passwordHash : null,
          verified ? new Date(createdAt.getTime() + between(60_000, DAY)) : null, random() < 0.005 ? updatedAt : null,
          roleId, random() < 0.1 ? pick(["de", "fr", "es"]) : null, createdAt, updatedAt,
        ];
      },
    },
    Session: {
      columns: ["id", "userId", "kind", "userAgent", "ip", "createdAt", "lastUsedAt", "revokedAt", "revokeReason", "methods", "provedAt"],
      count: 3 * n,
      /** Every tenth session has ended long enough ago for the sweep: 0.3N. */
      row(i) {
        let createdAt, lastUsedAt, revokedAt = null, revokeReason = null;
        if (i % 10 === 0) {
          if (i % 20 === 0) {
            revokedAt = now - between(8 * DAY, 80 * DAY);
            createdAt = revokedAt - between(0, 10 * DAY);
            lastUsedAt = revokedAt;
            revokeReason = pick(["logout", "logout", "password_change", "signout_everywhere"]);
          } else {
            createdAt = now - between(40 * DAY, 300 * DAY);
            lastUsedAt = Math.min(createdAt + between(0, 5 * DAY), now - 38 * DAY);
          }
        } else {
          createdAt = now - between(0, 85 * DAY);
          lastUsedAt = Math.max(createdAt, now - between(0, 25 * DAY));
          if (random() < 0.03) {
            revokedAt = now - between(0, 6 * DAY);
            revokeReason = "logout";
          }
        }
        const kind = random() < 0.6 ? "api" : "browser";
        return [
          randomUUID(), userId(), kind, pick(AGENTS), randomIp(), new Date(createdAt), new Date(lastUsedAt),
          revokedAt === null ? null : new Date(revokedAt), revokeReason, random() < 0.1 ? "password,totp" : "password", new Date(createdAt),
        ];
      },
      sessionMaxAge,
    },
    AuditEvent: {
      columns: ["userId", "type", "ip", "userAgent", "detail", "createdAt"],
      count: 10 * n,
      /** In time order over 380 days: the oldest 4 % (0.4N) are past the 365 days kept. */
      row(i, count) {
        const type = pick(AUDIT_PICK);
        const createdAt = new Date(now - 380 * DAY * (1 - i / count) - between(0, 60_000));
        const anonymous = type === "login_failed" && random() < 0.3;
        const detail = type === "login" || type === "login_failed" ? `{"method":"${random() < 0.9 ? "password" : "google"}"}` : null;
        return [anonymous ? null : userId(), type, randomIp(), pick(AGENTS), detail, createdAt];
      },
    },
    RateLimit: {
      columns: ["key", "count", "windowEnds", "lastHitAt"],
      count: n,
      /** Keys of the kinds lib/auth/limits.ts keeps; three in ten ended (0.3N). */
      row(i) {
        const [key, windowMs] = [
          [`known-address:${emailOf(i)}:${ipOf(i)}`, 30 * DAY],
          [`known-address:${emailOf(i)}:${ipOf(i)}`, 30 * DAY],
          [`login-failures:${emailOf(i)}`, DAY],
          [`mail:verification:1h:${emailOf(i)}`, 60 * 60_000],
          [`client:login:${ipOf(i)}`, 5 * 60_000],
        ][i % 5];
        const windowEnds = i % 10 < 3 ? now - between(60_000, 2 * DAY) : now + between(1000, windowMs);
        return [key, 1 + ((random() * 5) | 0), new Date(windowEnds), new Date(windowEnds - between(0, windowMs))];
      },
    },
  };
}

// ---- SQLite: one prepared statement, big transactions

async function seedSqlite(n) {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(url.slice("file:".length));
  db.pragma("busy_timeout = 10000");
  db.pragma("foreign_keys = OFF");
  // A seed, not a user's write: it is on disk when the checkpoint at the end returns.
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144");
  const asText = (v) => (v instanceof Date ? v.toISOString().replace("Z", "+00:00") : v); // as the app's adapter writes dates
  const firstUserId = (db.prepare(`SELECT coalesce(max("id"), 0) AS m FROM "User"`).get().m) + 1;
  const roleId = db.prepare(`SELECT "id" FROM "Role" WHERE "isDefault" = 1`).get().id;
  const tables = plan(n, Date.now(), firstUserId, roleId, await passwordHash(), tagOf());
  const indexes = db.prepare(`SELECT "name", "tbl_name" AS "table", "sql" FROM sqlite_master WHERE type = 'index' AND "sql" IS NOT NULL AND "tbl_name" IN (${TABLES.map(() => "?").join(",")})`).all(...TABLES);
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  const figures = {};
  try {
    for (const [table, spec] of Object.entries(tables)) {
      const insert = db.prepare(`INSERT INTO "${table}" (${spec.columns.map((c) => `"${c}"`).join(", ")}) VALUES (${spec.columns.map(() => "?").join(", ")})`);
      const chunk = db.transaction((from, to) => {
        for (let i = from; i < to; i++) insert.run(spec.row(i, spec.count).map(asText));
      });
      figures[table] = timed(table, spec.count, () => {
        for (let from = 0; from < spec.count; from += CHUNK) chunk(from, Math.min(spec.count, from + CHUNK));
      });
    }
  } finally {
    const t0 = performance.now();
    for (const index of indexes) db.exec(index.sql);
    figures.indexes = reportIndexes(indexes.length, t0);
  }
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return figures;
}

// ---- PostgreSQL: COPY FROM STDIN

/** COPY … FROM STDIN of one chunk of text (pg's submittable protocol; what pg-copy-streams does, without a stream). */
function copyIn(client, statement, text) {
  return new Promise((resolve, reject) => {
    let failed = null;
    client.query({
      submit: (connection) => connection.query(statement),
      handleCopyInResponse: (connection) => {
        connection.sendCopyFromChunk(Buffer.from(text));
        connection.endCopyFrom();
      },
      handleCommandComplete: () => {},
      handleReadyForQuery: () => (failed ? reject(failed) : resolve()),
      handleError: (error) => {
        failed = error;
      },
    });
  });
}

/** COPY's text format: tab-separated, \N for null, backslash escapes; timestamps in UTC as the columns hold them. */
function copyValue(v) {
  if (v === null || v === undefined) return "\\N";
  if (v instanceof Date) return v.toISOString().replace("T", " ").replace("Z", "");
  if (typeof v === "string") return v.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]);
  return String(v);
}

async function seedPostgres(n) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Foreign keys are checked by triggers, one lookup per row: off for this session where allowed (a superuser's).
    await client.query("SET session_replication_role = replica").catch(() => say("foreign keys stay checked (not a superuser)"));
    await client.query("SET maintenance_work_mem = '512MB'");
    const firstUserId = Number((await client.query(`SELECT coalesce(max("id"), 0) AS m FROM "User"`)).rows[0].m) + 1;
    const roleId = (await client.query(`SELECT "id" FROM "Role" WHERE "isDefault"`)).rows[0].id;
    const tables = plan(n, Date.now(), firstUserId, roleId, await passwordHash(), tagOf());
    const { rows: indexes } = await client.query(
      `SELECT i.indexname AS name, i.tablename AS "table", i.indexdef AS sql FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      [TABLES],
    );
    for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    const figures = {};
    try {
      for (const [table, spec] of Object.entries(tables)) {
        const statement = `COPY "${table}" (${spec.columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`;
        figures[table] = await timedAsync(table, spec.count, async () => {
          for (let from = 0; from < spec.count; from += CHUNK) {
            const lines = [];
            for (let i = from; i < Math.min(spec.count, from + CHUNK); i++) lines.push(spec.row(i, spec.count).map(copyValue).join("\t"));
            await copyIn(client, statement, `${lines.join("\n")}\n`);
          }
        });
      }
    } finally {
      const t0 = performance.now();
      for (const index of indexes) await client.query(index.sql);
      figures.indexes = reportIndexes(indexes.length, t0);
    }
    // The ids given here moved past the sequence's. The planner needs the tables' new sizes, and a
    // database that has lived this long has been vacuumed (visibility map) and checkpointed: the
    // bench measures it settled, not while autovacuum and the checkpointer catch up with the load.
    await client.query(`SELECT setval(pg_get_serial_sequence('"User"', 'id'), (SELECT max("id") FROM "User"))`);
    const t0 = performance.now();
    for (const table of TABLES) await client.query(`VACUUM (ANALYZE) "${table}"`);
    await client.query("CHECKPOINT").catch(() => say("no CHECKPOINT (not a superuser)"));
    say(`VACUUM (ANALYZE) and CHECKPOINT in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return figures;
  } finally {
    await client.end();
  }
}

// ---- the lease

async function setLease(hold) {
  const ends = new Date(Date.now() + DAY);
  if (kind === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(url.slice("file:".length));
    db.pragma("busy_timeout = 10000");
    if (hold) db.prepare(`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (?, 1, ?, ?) ON CONFLICT ("key") DO UPDATE SET "windowEnds" = excluded."windowEnds"`).run(LEASE_KEY, ends.toISOString().replace("Z", "+00:00"), new Date().toISOString().replace("Z", "+00:00"));
    else db.prepare(`DELETE FROM "RateLimit" WHERE "key" = ?`).run(LEASE_KEY);
    db.close();
  } else {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    if (hold) await client.query(`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES ($1, 1, $2, now()) ON CONFLICT ("key") DO UPDATE SET "windowEnds" = excluded."windowEnds"`, [LEASE_KEY, copyValue(ends)]);
    else await client.query(`DELETE FROM "RateLimit" WHERE "key" = $1`, [LEASE_KEY]);
    await client.end();
  }
}

// ---- figures

/** One real Argon2id hash with the service's parameters, shared by every seeded account (a million hashes would take hours). */
const passwordHash = () => hash(`seeded-${Date.now()}`, { ...params, algorithm: 2 });
/** Distinguishes this load's e-mails and keys from an earlier load's in the same database. */
const tagOf = () => Date.now().toString(36);

function report(table, rows, seconds) {
  say(`${table.padEnd(10)} ${rows.toLocaleString("en").padStart(12)} rows in ${seconds.toFixed(1).padStart(6)} s: ${Math.round(rows / seconds).toLocaleString("en").padStart(9)} rows/s`);
  return { rows, seconds, rowsPerSecond: rows / seconds };
}
function timed(table, rows, work) {
  const t0 = performance.now();
  work();
  return report(table, rows, (performance.now() - t0) / 1000);
}
async function timedAsync(table, rows, work) {
  const t0 = performance.now();
  await work();
  return report(table, rows, (performance.now() - t0) / 1000);
}
function reportIndexes(count, t0) {
  const seconds = (performance.now() - t0) / 1000;
  say(`${count} secondary indexes built again in ${seconds.toFixed(1)} s`);
  return { count, seconds };
}

// ---- main

if (args[0] === "--release-lease") {
  await setLease(false);
} else {
  const n = Number(args[0]);
  if (!Number.isInteger(n) || n <= 0) {
    console.error("usage: node scripts/bench/seed-big.mjs N [--hold-lease] | --release-lease");
    process.exit(2);
  }
  say(`${n.toLocaleString("en")} accounts, ${(3 * n).toLocaleString("en")} sessions, ${(10 * n).toLocaleString("en")} audit events, ${n.toLocaleString("en")} limit windows into ${kind === "sqlite" ? "SQLite" : "PostgreSQL"}; a backlog of ${n.toLocaleString("en")} ended rows for the sweep`);
  const t0 = performance.now();
  const tables = kind === "sqlite" ? await seedSqlite(n) : await seedPostgres(n);
  if (args.includes("--hold-lease")) await setLease(true);
  const seconds = (performance.now() - t0) / 1000;
  const rows = 15 * n;
  say(`${rows.toLocaleString("en")} rows in ${seconds.toFixed(1)} s (${Math.round(rows / seconds).toLocaleString("en")} rows/s over all, indexes included)`);
  process.stdout.write(`${JSON.stringify({ accounts: n, database: kind, rows, seconds, backlog: { windows: 0.3 * n, sessions: 0.3 * n, auditEvents: 0.4 * n, total: n }, tables })}\n`);
}
