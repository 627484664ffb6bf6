import { fieldIssue, ValidationError } from "@/lib/errors";

/**
 * The console's page cursors: where the last page ended (a user id; an audit event's time and id),
 * opaque to clients so the position's shape can change without breaking them.
 */

export function encodeCursor(parts: readonly number[]): string {
  return Buffer.from(parts.join(".")).toString("base64url");
}

/** The `count` integers of `cursor`; a cursor this service did not make is a field error of `cursor`. */
export function decodeCursor(cursor: string, count: number): number[] {
  const parts = Buffer.from(cursor, "base64url")
    .toString()
    .split(".")
    .map((p) => (/^\d{1,15}$/.test(p) ? Number(p) : NaN));
  if (parts.length !== count || parts.some((n) => !Number.isSafeInteger(n))) throw badCursor(cursor);
  return parts;
}

/** A position that holds text (an e-mail address, which may hold any character) as well as numbers. */
export type CursorPart = string | number | null;

export function encodeTextCursor(parts: readonly CursorPart[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** The parts of `cursor` if `valid` says they are its shape; else a field error of `cursor`. */
export function decodeTextCursor<T extends CursorPart[]>(cursor: string, valid: (parts: CursorPart[]) => parts is T): T {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString());
  } catch {
    throw badCursor(cursor);
  }
  if (!Array.isArray(parts) || !valid(parts as CursorPart[])) throw badCursor(cursor);
  return parts as T;
}

const badCursor = (cursor: string) =>
  new ValidationError([fieldIssue("cursor", "INVALID_CHOICE", { value: cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor })]);
