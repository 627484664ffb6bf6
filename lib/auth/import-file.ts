import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { JSONParser } from "@streamparser/json-node";
import { parse } from "csv-parse";
import type { RawImportRow } from "./import";

/**
 * The rows of a Django export, read as a stream whatever its size: a CSV file with a header line,
 * or JSON, an array of rows or `{ "users": [...] }`. Each row is parsed as its turn comes and
 * dropped once taken, so memory holds a few chunks of the file, never the whole of it.
 */
export function readImportFile(file: string): AsyncIterable<RawImportRow> {
  if (file.toLowerCase().endsWith(".csv")) {
    return createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, trim: true, bom: true }));
  }
  return jsonRows(file);
}

const NOT_USERS = "JSON must be an array of users or { users: [...] }";

async function* jsonRows(file: string): AsyncIterable<RawImportRow> {
  const shape = await firstCharacter(file);
  if (shape !== "[" && shape !== "{") throw new Error(NOT_USERS);
  // keepStack false: each row is dropped from its array once emitted (the array itself is never
  // asked for, or it would be kept whole).
  const parser = new JSONParser({ paths: [shape === "[" ? "$.*" : "$.users.*"], keepStack: false });
  let rows = 0;
  for await (const { value } of createReadStream(file).pipe(parser)) {
    rows++;
    // A row that is not an object has none of the fields, and fails as such.
    yield typeof value === "object" && value !== null && !Array.isArray(value) ? (value as RawImportRow) : {};
  }
  // An object whose `users` is missing (or empty, which imports nothing either) is said so.
  if (shape === "{" && rows === 0) throw new Error(NOT_USERS);
}

/** The file's first character other than white space. */
async function firstCharacter(file: string): Promise<string | undefined> {
  const handle = await open(file);
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return /^\s*(\S)/.exec(buffer.toString("utf8", 0, bytesRead))?.[1];
  } finally {
    await handle.close();
  }
}
