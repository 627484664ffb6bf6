import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { config } from "@/lib/config/env";
import { PrismaClient } from "./generated/postgres/client";
import { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client";
import { watched } from "./availability";
import { currentTransaction, type OpenTransaction } from "./scope";
import { embeddedSqliteAdapter } from "./sqlite-adapter";

/**
 * PostgreSQL pool settings that keep an outage from holding requests: connecting (or waiting for a
 * free connection) gives up after 1 s, a query the server stopped answering after 1.5 s, so any
 * request answers 503 within 2 s; the server itself cancels statements after 5 s and sessions idle
 * in a transaction after 10 s. New connections are made again as soon as the server is back.
 */
const POSTGRES_POOL = {
  max: 10,
  connectionTimeoutMillis: 1000,
  query_timeout: 1500,
  statement_timeout: 5000,
  idle_in_transaction_session_timeout: 10_000,
  keepAlive: true,
} as const;

/**
 * The Prisma client for DATABASE_URL, for the data layer only (lib/db/sql.ts hands it out as
 * `prisma(tx)`). Both generated clients come from one data model (prisma/schema.prisma; the SQLite
 * one is derived from it), so they have the same API and the data layer is written once against
 * the PostgreSQL client's types.
 */
export type Db = PrismaClient;

function createDb(): Db {
  const { databaseUrl, databaseKind } = config();
  const factory = followingTransactions(
    remembered(watched(databaseKind === "postgres" ? new PrismaPg({ connectionString: databaseUrl, ...POSTGRES_POOL }) : embeddedSqliteAdapter(databaseUrl))),
  );
  if (databaseKind === "postgres") return new PrismaClient({ adapter: factory });
  return new SqlitePrismaClient({ adapter: factory }) as unknown as Db;
}

/**
 * The Prisma client's connection, following the running code's transaction (lib/db/scope.ts):
 * inside one, its statements go to that transaction's connection, and a transaction Prisma would
 * open itself (for a nested write) is that one too: it commits or rolls back with it.
 */
function followingTransactions(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        ...(adapter.getConnectionInfo ? { getConnectionInfo: adapter.getConnectionInfo.bind(adapter) } : {}),
        queryRaw: (q) => (currentTransaction()?.queryable ?? adapter).queryRaw(q),
        executeRaw: (q) => (currentTransaction()?.queryable ?? adapter).executeRaw(q),
        executeScript: (s) => adapter.executeScript(s),
        startTransaction: async (isolationLevel) => {
          const open = currentTransaction();
          return open ? partOf(open, adapter) : adapter.startTransaction(isolationLevel);
        },
        dispose: () => adapter.dispose(),
      } satisfies SqlDriverAdapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/** A transaction Prisma opens inside an open one: its statements are the open one's, its end is the open one's. */
function partOf(open: OpenTransaction, adapter: SqlDriverAdapter): Transaction {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    // Prisma sends no BEGIN or COMMIT of its own for it.
    options: { usePhantomQuery: true },
    queryRaw: (q) => open.queryable.queryRaw(q),
    executeRaw: (q) => open.queryable.executeRaw(q),
    // A failure reaches the open transaction as an error, which rolls it back whole.
    commit: async () => {},
    rollback: async () => {},
  };
}

// One client per process; kept on globalThis so dev-mode module reloads don't open more.
const holder = globalThis as unknown as { __authDb?: Db; __authAdapter?: Promise<SqlDriverAdapter> };

/** The factory, remembering the connection it gives Prisma so lib/db/sql.ts can use the same one. */
function remembered(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => {
      const connecting = factory.connect();
      // A failed connection is not kept: the next query connects again.
      holder.__authAdapter = connecting.catch((error: unknown) => {
        holder.__authAdapter = undefined;
        throw error;
      });
      return connecting;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/** The driver connection the Prisma client uses (connecting it first if it has not yet). */
export async function connectedAdapter(): Promise<SqlDriverAdapter> {
  if (!holder.__authAdapter) await prismaClient().$connect();
  return holder.__authAdapter!;
}

export function prismaClient(): Db {
  holder.__authDb ??= createDb();
  return holder.__authDb;
}

export async function disconnectDb(): Promise<void> {
  await holder.__authDb?.$disconnect();
  holder.__authDb = undefined;
  holder.__authAdapter = undefined;
}
