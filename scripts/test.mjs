#!/usr/bin/env node
// The whole test suite, as the README's second command line runs it and CI runs it:
//   1. system packages the suite needs (Debian's postgresql, and chromium for the browser tests),
//      installed with apt-get when missing and we are root;
//   2. a production build (`next build`), since the HTTP and browser tests run the real server;
//   3. unit tests + the HTTP suite on the embedded SQLite database;
//   4. the unit tests and the HTTP suite again on PostgreSQL (TEST_POSTGRES_URL, or a throwaway
//      cluster started here);
//   5. the browser suite (Playwright on Debian's chromium), when e2e/browser has tests.
// It ends with one line `N passed, N failed` and a non-zero exit when anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { postgresBinDir, startThrowawayPostgres } from "./postgres-cluster.mjs";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const args = new Set(process.argv.slice(2));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
/** Each failed test by name with the first line of its error, repeated at the end of the output. */
const failedTests = [];
// The first line of an error message without the terminal's colour codes.
const firstLine = (message) => String(message ?? "").replace(/\u001b\[[0-9;]*m/g, "").trim().split("\n")[0].slice(0, 300);

const hasBrowserTests = () =>
  existsSync("e2e/browser") && readdirSync("e2e/browser").some((f) => f.endsWith(".spec.ts"));

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: "inherit", ...opts });
  return r.status ?? 1;
}

function ensureSystemPackages() {
  const wanted = [];
  if (!process.env.TEST_POSTGRES_URL && !postgresBinDir()) wanted.push("postgresql");
  if (hasBrowserTests() && !existsSync("/usr/bin/chromium")) wanted.push("chromium", "fonts-dejavu-core");
  if (wanted.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(`The test suite needs Debian packages: ${wanted.join(" ")}. Install them with:\n  sudo apt-get install -y ${wanted.join(" ")}`);
    process.exit(2);
  }
  console.log(`Installing Debian packages: ${wanted.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (sh("apt-get", ["update", "-qq"], { env }) !== 0) process.exit(2);
  if (sh("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...wanted], { env }) !== 0) process.exit(2);
}

/** Runs vitest with a JSON report and adds its counts to the totals. */
function vitest(label, vitestArgs, env = {}) {
  const report = path.join(mkdtempSync(path.join(tmpdir(), "auth-test-report-")), "report.json");
  console.log(`\n=== ${label} ===`);
  const code = sh(process.execPath, [
    "node_modules/vitest/vitest.mjs", "run", ...vitestArgs,
    "--reporter=default", "--reporter=json", `--outputFile.json=${report}`,
  ], { env: { ...process.env, ...env } });
  count(label, code, () => {
    const r = JSON.parse(readFileSync(report, "utf8"));
    for (const file of r.testResults ?? []) {
      const where = path.relative(root, file.name);
      // A file that failed outside any test (an import, a hook) has no failed assertion to name.
      if (file.status === "failed" && !file.assertionResults?.some((a) => a.status === "failed")) failedTests.push(`${label}: ${where}: ${firstLine(file.message)}`);
      for (const a of file.assertionResults ?? []) {
        if (a.status === "failed") failedTests.push(`${label}: ${where} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      }
    }
    return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0), skipped: r.numPendingTests + r.numTodoTests };
  });
}

function playwright(label, env = {}) {
  const report = path.join(mkdtempSync(path.join(tmpdir(), "auth-test-report-")), "report.json");
  console.log(`\n=== ${label} ===`);
  const code = sh(process.execPath, ["node_modules/@playwright/test/cli.js", "test", "--reporter=list,json"], {
    env: { ...process.env, ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
  });
  count(label, code, () => {
    const r = JSON.parse(readFileSync(report, "utf8"));
    const walk = (suite, titles) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          if (t.status === "unexpected") failedTests.push(`${label}: ${spec.file}:${spec.line} › ${[...titles, spec.title].join(" › ")}: ${firstLine(t.results?.at(-1)?.error?.message)}`);
        }
      }
      for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
    };
    // The top suites are the files, which each spec names already.
    for (const suite of r.suites ?? []) walk(suite, []);
    const s = r.stats;
    return { passed: s.expected + (s.flaky ?? 0), failed: s.unexpected, skipped: s.skipped };
  });
}

function count(label, code, read) {
  let r;
  try {
    r = read();
  } catch {
    r = { passed: 0, failed: 1, skipped: 0 };
  }
  if (code !== 0 && r.failed === 0) r.failed = 1; // a crash or an error outside any test still fails the run
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
  if (r.failed) failures.push(label);
  console.log(`--- ${label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
}

ensureSystemPackages();

if (!args.has("--no-build")) {
  console.log("\n=== next build ===");
  if (sh(process.execPath, ["node_modules/next/dist/bin/next", "build"], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } }) !== 0) {
    console.log("\n0 passed, 1 failed");
    process.exit(1);
  }
}

let postgres;
let postgresUrl = process.env.TEST_POSTGRES_URL;
if (!postgresUrl) {
  postgres = await startThrowawayPostgres();
  postgresUrl = postgres.url;
}

try {
  vitest("unit + HTTP on SQLite", [], { TEST_DB: "sqlite", TEST_POSTGRES_URL: postgresUrl });
  // The services and data layer again, in process, on PostgreSQL (lib/db/testing.ts).
  vitest("unit on PostgreSQL", ["--project", "unit"], { TEST_UNIT_DB: "postgres", TEST_POSTGRES_URL: postgresUrl });
  vitest("HTTP on PostgreSQL", ["--project", "http"], { TEST_DB: "postgres", TEST_POSTGRES_URL: postgresUrl });
  if (hasBrowserTests()) playwright("browser (Chromium)", { TEST_POSTGRES_URL: postgresUrl });
} finally {
  postgres?.stop();
}

if (failedTests.length) console.log(`\nFailed tests:\n${failedTests.map((t) => `  ${t}`).join("\n")}`);
if (failures.length) console.log(`\nFailed: ${failures.join("; ")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
