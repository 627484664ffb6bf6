import { PrismaPg } from "@prisma/adapter-pg";
import { config } from "@/lib/config/env";
import { PrismaClient } from "./generated/postgres/client";
import { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client";
import { embeddedSqliteAdapter } from "./sqlite-adapter";

/**
 * The Prisma client for DATABASE_URL. Both generated clients come from one data model
 * (prisma/schema.prisma; the SQLite one is derived from it), so they have the same API and the
 * data layer is written once against the PostgreSQL client's types.
 */
export type Db = PrismaClient;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

function createDb(): Db {
  const { databaseUrl, databaseKind } = config();
  if (databaseKind === "postgres") {
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
  }
  return new SqlitePrismaClient({ adapter: embeddedSqliteAdapter(databaseUrl) }) as unknown as Db;
}

// One client per process; kept on globalThis so dev-mode module reloads don't open more.
const holder = globalThis as unknown as { __authDb?: Db };

export function db(): Db {
  holder.__authDb ??= createDb();
  return holder.__authDb;
}

export async function disconnectDb(): Promise<void> {
  await holder.__authDb?.$disconnect();
  holder.__authDb = undefined;
}
