// The sweep scenario of `npm run bench -- --seed N` (scripts/bench/run.mjs): the server, started
// with HOUSEKEEPING_INTERVAL_MS so that its first sweep comes after SWEEP_FIRST_MS, clears the
// seeded backlog in its own bounded sweeps (lib/housekeeping.ts) while GET /auth/me/ is driven at
// modest concurrency in periods of a few seconds. What the sweeps did is read from the server's
// log (one "housekeeping" line per sweep, with its counts, batches, slowest batch and duration).
import { readFileSync, statSync } from "node:fs";
import { startDriver } from "./processes.mjs";

/** The interval the bench starts the sweeping server with: a first sweep 20 s after start-up. */
export const SWEEP_FIRST_MS = 20_000;

/** The "housekeeping" lines the server wrote to `logFile` past byte `from`. */
function sweepLines(logFile, from) {
  const text = readFileSync(logFile, "utf8").slice(from);
  const lines = [];
  for (const line of text.split("\n")) {
    if (!line.includes('"msg":"housekeeping"')) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // a line still being written
    }
  }
  return lines;
}

export const logSize = (logFile) => statSync(logFile).size;

/**
 * Drives me in periods of `chunkSeconds` until a sweep reports no backlog left (or `limitSeconds`),
 * and sums up the sweeps' lines from byte `logFrom` of the server's log.
 */
export async function sweepWhileDriving({ server, logFile, logFrom, data, backlog, connections = 4, chunkSeconds = 5, limitSeconds = 1800 }) {
  const periods = [];
  const t0 = Date.now();
  let lines = [];
  const finished = () => lines.length > 0 && lines.at(-1).backlog === false;
  while (!finished() && Date.now() - t0 < limitSeconds * 1000) {
    const driver = await startDriver({ origin: server.url, scenario: "me", connections, warmup: 0, duration: chunkSeconds, data });
    const from = Date.now();
    const result = await driver.go();
    periods.push({ from, to: Date.now(), ...result });
    lines = sweepLines(logFile, logFrom);
  }
  const sweepFrom = lines.length ? Date.parse(lines[0].time) - lines[0].tookMs : Infinity;
  const sweepTo = lines.length ? Date.parse(lines.at(-1).time) : Infinity;
  const before = periods.filter((p) => p.to <= sweepFrom);
  const during = periods.filter((p) => p.to > sweepFrom && p.from < sweepTo);
  const sum = (key) => lines.reduce((n, l) => n + (l[key] ?? 0), 0);
  const cleared = { windows: sum("windows"), sessions: sum("sessions"), auditEvents: sum("auditEvents"), other: sum("verifications") + sum("mail") + sum("challenges") + sum("oauth") };
  // A period in which no request came back (the server's event loop held longer than the period) has no p99: counted apart.
  const answered = during.filter((p) => p.requests > 0);
  const p99s = answered.map((p) => p.p99).sort((a, b) => a - b);
  const rate = (list) => list.reduce((n, p) => n + p.requests, 0) / Math.max(1e-9, list.reduce((n, p) => n + p.duration, 0));
  return {
    backlog,
    connections,
    chunkSeconds,
    limitSeconds,
    finished: finished(),
    sweeps: lines.length,
    cleared,
    clearedTotal: cleared.windows + cleared.sessions + cleared.auditEvents + cleared.other,
    seconds: lines.length ? (sweepTo - sweepFrom) / 1000 : NaN,
    batches: sum("batches"),
    longestBatchMs: Math.max(0, ...lines.map((l) => l.longestBatchMs ?? 0)),
    before: before.length ? { p50: before.at(-1).p50, p99: Math.max(...before.map((p) => p.p99)), rps: rate(before) } : null,
    during: {
      periods: during.length,
      p99Worst: p99s.at(-1) ?? NaN,
      p99Median: p99s[Math.floor(p99s.length / 2)] ?? NaN,
      maxMs: Math.max(0, ...answered.map((p) => p.max)),
      silent: during.length - answered.length,
      rps: rate(during),
      errors: during.reduce((n, p) => n + p.errors + p.timeouts + p.non2xx, 0),
    },
    periods: periods.map(({ from, to, rps, p50, p99, max, non2xx }) => ({ from, to, rps, p50, p99, max, non2xx })),
    sweepLines: lines,
  };
}
