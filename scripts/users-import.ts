// npm run users:import -- users.json|users.csv
// Imports users exported from the Django service (email, name, dob, mobile, roleid, password in
// Django's hash format, is_verified, is_active). Safe to run again: existing e-mails are skipped.
// The file is read as a stream, whatever its size. Skipped rows go to stdout and failed rows to
// stderr as they are met; a progress line goes to stderr every few seconds; the totals end stdout.
import { importUsers, type ImportTotals } from "@/lib/auth/import";
import { readImportFile } from "@/lib/auth/import-file";
import { config } from "@/lib/config/env";
import { disconnectDb, runAsBatchJob } from "@/lib/db";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";

const PROGRESS_EVERY_MS = 5000;

const file = process.argv[2];
if (!file) {
  console.error("usage: npm run users:import -- <file.json|file.csv>");
  process.exit(2);
}

let started = performance.now();
let lastProgress = started;
const progressLine = ({ read, created, skipped, failed }: ImportTotals) => {
  const seconds = (performance.now() - started) / 1000;
  return `${read} rows read, ${created} created, ${skipped} skipped, ${failed} failed in ${seconds.toFixed(1)} s (${Math.round(read / seconds)} rows/s)`;
};

runAsBatchJob();
try {
  await migrateDeploy({ url: config().databaseUrl });
  started = lastProgress = performance.now();
  const totals = await importUsers(readImportFile(file), {
    failed: (f) => console.error(`row ${f.row}: ${JSON.stringify(f.errors)}`),
    skipped: (s) => console.log(`row ${s.row}: ${s.email} skipped (${s.reason})`),
    progress: (t) => {
      if (performance.now() - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = performance.now();
      console.error(progressLine(t));
    },
  });
  console.error(progressLine(totals));
  console.log(`${totals.created} created, ${totals.skipped} skipped, ${totals.failed} failed`);
  if (totals.failed) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await disconnectDb();
}
// Exits once everything printed has been taken by the reader: a pipe's reader (a script, a pager)
// may be behind, and exiting at once would cut off the end, the totals with it.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
process.exit();
