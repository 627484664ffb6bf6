// What scripts/bench/run.mjs prints: a table per database (and per seeded database), the ratios
// of each run, SQLite beside PostgreSQL with the issue's goals, empty beside seeded, the sweep.

const SCENARIO_LABEL = {
  trivial: "GET /.well-known/jwks.json (floor)",
  login: "POST /auth/login/",
  register: "POST /auth/register/",
  verify: "POST /auth/verify/otp/",
  refresh: "POST /auth/token/refresh/",
  me: "GET /auth/me/",
  profile: "PUT /auth/{id}/",
  "oauth-userinfo": "GET /oauth/me (OpenID userinfo)",
  "oauth-refresh": "POST /oauth/token (refresh_token)",
  "oauth-cc": "POST /oauth/token (client_credentials)",
  "oauth-introspect": "POST /oauth/token/introspection",
  "flood:login": "flood: POST /auth/login/",
  "flood:me": "flood: GET /auth/me/ meanwhile",
};
const label = (scenario) => SCENARIO_LABEL[scenario] ?? scenario;
const byName = (rows) => Object.fromEntries(rows.map((r) => [r.scenario, r]));
const fixed = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

/** Milliseconds of CPU per request of something that used `cores` while `rps` requests were answered. */
const msPerRequest = (cores, rps) => ((cores * 1000) / Math.max(rps, 1e-9)).toFixed(2);

/** Main-thread CPU per request: what the event loop, the one thread every request passes, spends on each. */
export function mainMsPerRequest(server, rps) {
  return msPerRequest(server.mainThreadCores, rps);
}

/** Columns padded to their widest cell; the first (and any named in `left`) aligned left. */
function printGrid(head, rows, left = [0]) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (left.includes(i) ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  ");
  console.log(line(head));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const r of rows) console.log(line(r));
}

const fourInFlight = (hash) => hash?.results.find((x) => x.concurrency === 4)?.perSecond;

/**
 * The raw rate with 4 in flight that login and sign-up are compared with: the mean of the reading
 * before the server started and the one after those scenarios (`after`, when taken).
 */
function raw4Of(hash, after) {
  const readings = [fourInFlight(hash), fourInFlight(after)].filter((x) => x !== undefined);
  return readings.length ? readings.reduce((a, b) => a + b) / readings.length : undefined;
}

/** The ratios each run prints under its table (and keeps in the JSON). */
export function ratiosOf(rows, hash, hashAfter) {
  const raw4 = raw4Of(hash, hashAfter);
  const s = byName(rows);
  const ratios = {};
  if (s.login && raw4) ratios["login 2xx/s ÷ raw Argon2id (4 in flight)"] = (s.login.okPerSecond / raw4).toFixed(2);
  if (s.register && raw4) ratios["register 2xx/s ÷ raw Argon2id (4 in flight)"] = (s.register.okPerSecond / raw4).toFixed(2);
  // The server's own way of hashing is faster than the library's asynchronous calls; against it,
  // what remains is the cost of everything else a login or sign-up does.
  const onThreads = hash.results.find((x) => x.threads)?.perSecond;
  if (s.login && onThreads) ratios["login 2xx/s ÷ the server's hash threads alone"] = (s.login.okPerSecond / onThreads).toFixed(2);
  if (s.register && onThreads) ratios["register 2xx/s ÷ the server's hash threads alone"] = (s.register.okPerSecond / onThreads).toFixed(2);
  if (s.me && s.trivial) ratios["me req/s ÷ trivial route req/s"] = (s.me.rps / s.trivial.rps).toFixed(2);
  if (s["oauth-userinfo"] && s.me) ratios["OpenID userinfo req/s ÷ me req/s"] = (s["oauth-userinfo"].rps / s.me.rps).toFixed(2);
  if (s["oauth-refresh"] && s.refresh) ratios["OpenID refresh 2xx/s ÷ API refresh 2xx/s"] = (s["oauth-refresh"].okPerSecond / s.refresh.okPerSecond).toFixed(2);
  if (s["oauth-cc"]) ratios["client credentials tokens/s"] = s["oauth-cc"].okPerSecond.toFixed(0);
  if (s["oauth-introspect"]) ratios["introspections/s"] = s["oauth-introspect"].okPerSecond.toFixed(0);
  if (s["flood:me"]) ratios["me p50 / p99 while login is flooded"] = `${s["flood:me"].p50} / ${s["flood:me"].p99} ms`;
  return ratios;
}

/** One run's table: every scenario's rates, latencies, codes, server CPU and memory. */
export function printRun(report, run, title) {
  console.log(`\n== ${title} — ${report.machine.cpus} CPUs (${report.machine.model}), node ${report.node}, ${report.duration} s each after ${report.warmup} s warm-up, autocannon ${report.autocannon}, load ${run.load.map((x) => x.toFixed(2)).join(" ")} at its start`);
  const h = run.hash;
  const how = (x) => (x.threads ? `on ${x.threads} hash threads as the server runs them` : `with ${x.concurrency} in flight`);
  const after = fourInFlight(run.hashAfter);
  const again = after === undefined ? "" : `; ${after.toFixed(1)}/s with 4 in flight after login and sign-up (their ratios take the mean, ${raw4Of(h, run.hashAfter).toFixed(1)}/s)`;
  console.log(`raw Argon2id (m=${h.params.memoryCost} KiB, t=${h.params.timeCost}, p=${h.params.parallelism}), verify in one process: ${h.results.map((x) => `${x.perSecond.toFixed(1)}/s ${how(x)}`).join(", ")}${again}\n`);
  // The database server's CPU, when the bench started it (PostgreSQL): what it takes of the same cores.
  const database = run.rows.some((r) => typeof r.databaseCpuCores === "number");
  const head = ["scenario", "conns", "req/s", "2xx/s", "p50 ms", "p99 ms", "max ms", "errors", "status codes", "srv CPU", "main ms/req", ...(database ? ["db CPU", "db ms/req"] : []), "peak RSS MB"];
  printGrid(
    head,
    run.rows.map((r) => [
      label(r.scenario),
      r.connections,
      r.rps.toFixed(1),
      r.okPerSecond.toFixed(1),
      r.p50,
      r.p99,
      r.max,
      r.errors + r.timeouts + r.non2xx,
      Object.entries(r.codes).map(([k, v]) => `${k}:${v}`).join(" ") || "-",
      r.server ? r.server.cpuCores.toFixed(2) : "",
      r.server ? mainMsPerRequest(r.server, r.rps) : "",
      ...(database ? (typeof r.databaseCpuCores === "number" ? [r.databaseCpuCores.toFixed(2), msPerRequest(r.databaseCpuCores, r.rps)] : ["", ""]) : []),
      r.server ? r.server.peakRssMb.toFixed(0) : "",
    ]),
    [0, 8],
  );
  console.log("");
  for (const [k, v] of Object.entries(run.ratios)) console.log(`${k.padEnd(44)} ${v}`);
  console.log(`${"server peak RSS over the run (VmHWM)".padEnd(44)} ${run.serverPeakRssMb.toFixed(0)} MB (start-up and preparation: ${run.startupPeakRssMb.toFixed(0)} MB)`);
}

/** Each scenario on SQLite beside PostgreSQL, and the issue's goals for PostgreSQL, each with its figure. */
export function printComparison(sqlite, postgres) {
  const b = byName(postgres.rows);
  console.log("\n== SQLite beside PostgreSQL (the same build, a fresh database each)\n");
  printGrid(
    ["scenario", "SQLite req/s", "PG req/s", "PG ÷ SQLite", "SQLite 2xx/s", "PG 2xx/s", "PG ÷ SQLite", "SQLite p99", "PG p99"],
    sqlite.rows.filter((r) => b[r.scenario]).map((r) => {
      const p = b[r.scenario];
      return [label(r.scenario), r.rps.toFixed(1), p.rps.toFixed(1), fixed(p.rps / r.rps), r.okPerSecond.toFixed(1), p.okPerSecond.toFixed(1), fixed(p.okPerSecond / r.okPerSecond), `${r.p99} ms`, `${p.p99} ms`];
    }),
  );
  const goals = goalsOf(sqlite, postgres);
  console.log("\nThe issue's goals on PostgreSQL (SQLite's figure beside it)\n");
  printGrid(["goal", "SQLite", "PostgreSQL", "on PostgreSQL"], goals.map((g) => [g.goal, g.sqlite ?? "-", g.postgres ?? "-", g.met === null ? "not measured" : g.met ? "met" : "not met"]));
  return goals;
}

function goalsOf(sqlite, postgres) {
  const a = byName(sqlite.rows);
  const b = byName(postgres.rows);
  const goals = [];
  const ratioGoal = (goal, value, min) => {
    const [vs, vp] = [value(sqlite, a), value(postgres, b)];
    goals.push({ goal, sqlite: vs === undefined ? null : fixed(vs), postgres: vp === undefined ? null : fixed(vp), met: vp === undefined ? null : vp >= min });
  };
  ratioGoal("login 2xx/s ÷ raw Argon2id (4 in flight) ≥ 0.80", (run, s) => (s.login ? s.login.okPerSecond / raw4Of(run.hash, run.hashAfter) : undefined), 0.8);
  ratioGoal("register 2xx/s ÷ raw Argon2id (4 in flight) ≥ 0.70", (run, s) => (s.register ? s.register.okPerSecond / raw4Of(run.hash, run.hashAfter) : undefined), 0.7);
  ratioGoal("me req/s ÷ trivial route req/s ≥ 0.75", (_, s) => (s.me && s.trivial ? s.me.rps / s.trivial.rps : undefined), 0.75);
  for (const scenario of ["verify", "refresh", "profile"]) {
    const ok = a[scenario] && b[scenario];
    goals.push({
      goal: `${scenario} req/s on PostgreSQL ≥ 0.8 of SQLite's`,
      sqlite: a[scenario] ? a[scenario].rps.toFixed(1) : null,
      postgres: b[scenario] ? `${b[scenario].rps.toFixed(1)} (${ok ? fixed(b[scenario].rps / a[scenario].rps) : "-"})` : null,
      met: ok ? b[scenario].rps >= 0.8 * a[scenario].rps : null,
    });
  }
  const flood = (s) => s["flood:me"]?.p99;
  goals.push({
    goal: "me p99 while login is flooded < 50 ms",
    sqlite: flood(a) === undefined ? null : `${flood(a)} ms`,
    postgres: flood(b) === undefined ? null : `${flood(b)} ms`,
    met: flood(b) === undefined ? null : flood(b) < 50,
  });
  return goals;
}

const SEEDED_GOAL_SCENARIOS = ["login", "register", "me", "refresh"];

/** The same scenarios on the empty and the seeded database of one run, with the "within 10 %" goal. */
export function printEmptyVsSeeded(run, title) {
  const seeded = byName(run.seeded.rows);
  console.log(`\n== ${title}: the empty database beside the seeded one (${run.seeded.seeding.accounts.toLocaleString("en")} accounts, seeded in ${run.seeded.seeding.seconds.toFixed(0)} s)\n`);
  const goals = [];
  printGrid(
    ["scenario", "empty 2xx/s", "seeded 2xx/s", "seeded ÷ empty", "empty p99", "seeded p99", "goal: within 10 %"],
    run.rows.filter((r) => seeded[r.scenario]).map((r) => {
      const s = seeded[r.scenario];
      const ratio = s.okPerSecond / r.okPerSecond;
      const judged = SEEDED_GOAL_SCENARIOS.includes(r.scenario);
      if (judged) goals.push({ scenario: r.scenario, empty: r.okPerSecond, seeded: s.okPerSecond, ratio, met: ratio >= 0.9 });
      return [label(r.scenario), r.okPerSecond.toFixed(1), s.okPerSecond.toFixed(1), fixed(ratio), `${r.p99} ms`, `${s.p99} ms`, judged ? (ratio >= 0.9 ? "met" : "not met") : ""];
    }),
  );
  return goals;
}

/** The sweep of the seeded backlog while GET /auth/me/ is driven. */
export function printSweep(sweep, title) {
  console.log(`\n== ${title}: the sweep of a backlog of ${sweep.backlog.toLocaleString("en")} ended rows, GET /auth/me/ at ${sweep.connections} connections meanwhile\n`);
  const c = sweep.cleared;
  console.log(`rows cleared     ${sweep.clearedTotal.toLocaleString("en")} (windows ${c.windows.toLocaleString("en")}, sessions ${c.sessions.toLocaleString("en")}, audit events ${c.auditEvents.toLocaleString("en")}, other ${c.other.toLocaleString("en")})${sweep.finished ? "" : ` — NOT finished after ${sweep.limitSeconds} s`}`);
  console.log(`time taken       ${fixed(sweep.seconds, 1)} s over ${sweep.sweeps} sweeps (${fixed(sweep.clearedTotal / sweep.seconds, 0)} rows/s)`);
  console.log(`batches          ${sweep.batches.toLocaleString("en")} (50–500 rows each, sized to take about 20 ms), the slowest ${sweep.longestBatchMs} ms`);
  console.log(`me before        p50 ${sweep.before?.p50 ?? "-"} ms, p99 ${sweep.before?.p99 ?? "-"} ms, ${fixed(sweep.before?.rps, 0)} req/s`);
  const d = sweep.during;
  console.log(`me during        p99 ${d.p99Worst} ms in the worst ${sweep.chunkSeconds} s period, ${d.p99Median} ms in the median one, max ${d.maxMs} ms (${d.periods} periods, ${d.silent} of them without a single answer), ${fixed(d.rps, 0)} req/s, errors ${d.errors}`);
  const met = d.periods > 0 && d.silent === 0 && d.p99Worst < 50;
  console.log(`goal             me p99 < 50 ms during the sweep (every period): ${met ? "met" : "not met"}`);
}
