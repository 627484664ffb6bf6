export const SQLITE_EXTERNAL_TABLES: string[];
export function externalTablesOf(dialect: "sqlite" | "postgres"): string[];
