// npm run users:import -- users.json|users.csv
// Imports users exported from the Django service (email, name, dob, mobile, roleid, password in
// Django's hash format, is_verified). Safe to run again: existing e-mails are skipped.
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { importUsers, type RawImportRow } from "@/lib/auth/import";
import { config } from "@/lib/config/env";
import { disconnectDb } from "@/lib/db";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";

function readRows(file: string): RawImportRow[] {
  const text = readFileSync(file, "utf8");
  if (file.toLowerCase().endsWith(".csv")) return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  const data = JSON.parse(text) as unknown;
  const rows = Array.isArray(data) ? data : (data as { users?: unknown }).users;
  if (!Array.isArray(rows)) throw new Error("JSON must be an array of users or { users: [...] }");
  return rows as RawImportRow[];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: npm run users:import -- <file.json|file.csv>");
  process.exit(2);
}
try {
  await migrateDeploy({ url: config().databaseUrl });
  const report = await importUsers(readRows(file));
  for (const f of report.failed) console.error(`row ${f.row}: ${JSON.stringify(f.errors)}`);
  for (const s of report.skipped) console.log(`row ${s.row}: ${s.email} skipped (${s.reason})`);
  console.log(`${report.created} created, ${report.skipped.length} skipped, ${report.failed.length} failed`);
  if (report.failed.length) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await disconnectDb();
}
process.exit();
