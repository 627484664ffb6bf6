// Tables the migrations create by hand that Prisma's schema cannot describe. Listed as external,
// Prisma's diffs (the migrations test, `prisma migrate dev`) leave them out instead of dropping them.
// Only simple names: the engine refuses a schema prefix.

/** SQLite: the FTS5 index of the console's search (ADR 016) and the shadow tables FTS5 keeps it in. */
export const SQLITE_EXTERNAL_TABLES = ["UserSearch", "UserSearch_config", "UserSearch_data", "UserSearch_idx"];

/** The external tables of a dialect ("sqlite" | "postgres"). */
export const externalTablesOf = (dialect) => (dialect === "sqlite" ? SQLITE_EXTERNAL_TABLES : []);
