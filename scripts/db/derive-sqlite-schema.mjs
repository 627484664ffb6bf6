#!/usr/bin/env node
// Writes prisma/sqlite/schema.prisma from prisma/schema.prisma (`npm run db:schema`).
// Prisma has one provider per schema file, so the embedded SQLite dialect needs its own copy of
// the data model. Only two things differ, and both are replaced textually: the datasource provider
// and the generator output (…/generated/postgres → …/generated/sqlite, re-relativised for the
// deeper folder). Anything unexpected fails loudly rather than producing a wrong schema.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CANONICAL_SCHEMA = path.join(root, "prisma/schema.prisma");
export const SQLITE_SCHEMA = path.join(root, "prisma/sqlite/schema.prisma");

const HEADER = `// GENERATED from prisma/schema.prisma by scripts/db/derive-sqlite-schema.mjs (npm run db:schema).
// Do not edit: change prisma/schema.prisma, re-run the script, and add a migration for both dialects.
`;

/** Replaces exactly one match of `re` in `text`, or throws. */
function replaceOnce(text, re, replacer, what) {
  const matches = [...text.matchAll(new RegExp(re.source, `${re.flags.replace("g", "")}g`))];
  if (matches.length !== 1) throw new Error(`derive-sqlite-schema: expected exactly one ${what} in prisma/schema.prisma, found ${matches.length}`);
  return text.replace(re, replacer);
}

/** The SQLite schema text for the canonical (PostgreSQL) schema text. */
export function deriveSqliteSchema(canonical) {
  let out = replaceOnce(
    canonical,
    /(datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*)"postgresql"/,
    (_, head) => `${head}"sqlite"`,
    'datasource with provider = "postgresql"',
  );
  out = replaceOnce(
    out,
    /(generator\s+\w+\s*\{[^}]*?\boutput\s*=\s*)"([^"]*\/)postgres"/,
    (_, head, dir) => {
      // The output is relative to the schema file; the derived file sits one folder deeper.
      const target = path.posix.join("prisma", `${dir}sqlite`);
      return `${head}"${path.posix.relative("prisma/sqlite", target)}"`;
    },
    'generator with output = "…/postgres"',
  );
  return HEADER + "\n" + out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const derived = deriveSqliteSchema(readFileSync(CANONICAL_SCHEMA, "utf8"));
  mkdirSync(path.dirname(SQLITE_SCHEMA), { recursive: true });
  writeFileSync(SQLITE_SCHEMA, derived);
  console.log(`Wrote ${path.relative(process.cwd(), SQLITE_SCHEMA)}`);
}
