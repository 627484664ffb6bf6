#!/usr/bin/env node
// Summarises a V8 CPU profile (node --cpu-prof, or `npm run bench -- --cpu-prof DIR`): the
// functions with the most self time, and self time grouped by where the code comes from.
//   node scripts/bench/profile-summary.mjs FILE.cpuprofile [--top 25] [--window BENCH.json SCENARIO]
// --window keeps only the samples taken during that scenario's measured period (the bench records
// it on CLOCK_MONOTONIC, the clock V8 stamps its samples with), leaving out start-up and warm-up.
import { readFileSync } from "node:fs";

const [file, ...rest] = process.argv.slice(2);
const top = Number(rest[rest.indexOf("--top") + 1]) || 25;
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
let window = [-Infinity, Infinity];
const w = rest.indexOf("--window");
if (w >= 0) {
  const bench = JSON.parse(readFileSync(rest[w + 1], "utf8"));
  // A report holds a run per database (and per seeded database); the first with that scenario.
  const rows = bench.runs ? bench.runs.flatMap((run) => [...run.rows, ...(run.seeded?.rows ?? [])]) : bench.rows;
  const row = rows.find((r) => r.scenario === rest[w + 2]);
  if (!row?.window) throw new Error(`no window for scenario ${rest[w + 2]} in ${rest[w + 1]}`);
  window = row.window;
}

// Self time per node from the samples and their time deltas.
const self = new Map();
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  if (t >= window[0] && t <= window[1]) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

function origin(url) {
  if (!url) return "(native / V8)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith("node:")) return "node core";
  if (/\.next\/server\/chunks\//.test(url) || /\.next\/server\/app\//.test(url)) return "app bundle (.next/server)";
  return url.replace(/^file:\/\/.*?\/(?=[^/]+\/[^/]+$)/, "");
}

const fns = new Map();
const groups = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const name = cf.functionName || "(anonymous)";
  const key = ["(idle)", "(program)", "(garbage collector)"].includes(name) ? name : `${name}  ${origin(cf.url)}:${cf.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const group = ["(idle)", "(program)", "(garbage collector)"].includes(name) ? name : origin(cf.url);
  groups.set(group, (groups.get(group) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const busy = total - (groups.get("(idle)") ?? 0);
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (main thread)\n`);
console.log("self time by origin");
for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${pct(us)}  ${g}`);
console.log(`\ntop ${top} functions by self time`);
for (const [f, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${f}`);
