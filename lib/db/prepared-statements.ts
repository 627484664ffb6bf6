import type { SqlQuery } from "@prisma/driver-adapter-utils";

/**
 * Names for the data layer's PostgreSQL statements, so the `pg` driver prepares each once per
 * connection (Parse once, then Bind/Execute) instead of the server parsing and planning it on
 * every call. Only statements written as one template (lib/db/sql.ts) get a name, so the names
 * are as few as those templates; SQL built afresh per call (a list of filters, an IN list) and
 * the Prisma client's own statements stay unnamed.
 */
// On globalThis, like the client whose connections hold the statements: Next.js compiles some
// entries with copies of lib/ of their own, and every copy must give a text the same name.
const holder = globalThis as unknown as { __authStatementNames?: Map<string, string>; __authStatementsUnprepared?: boolean };
const names = (holder.__authStatementNames ??= new Map<string, string>());

/** Behind a pooler in transaction mode (lib/db/client.ts): every statement goes unnamed. */
export function sendStatementsUnprepared(): void {
  holder.__authStatementsUnprepared = true;
}

/** Marks `text` as a statement of a fixed template: the driver may prepare it. */
export function prepareStatement(text: string): void {
  if (!names.has(text)) names.set(text, `auth_${names.size + 1}`);
}

/** For the driver adapter: the prepared statement's name for a query, or undefined (unnamed). */
export function preparedStatementName(query: SqlQuery): string | undefined {
  return holder.__authStatementsUnprepared ? undefined : names.get(query.sql);
}
