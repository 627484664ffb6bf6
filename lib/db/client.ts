import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { config } from "@/lib/config/env";
import { PrismaClient } from "./generated/postgres/client";
import { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client";
import { watched } from "./availability";
import { deferTransactionStarts } from "./postgres-pipeline";
import { preparedStatementName, sendStatementsUnprepared } from "./prepared-statements";
import { startSessionChecks, stopSessionChecks, watchSessionCheckChanges, type SessionChecks } from "./session-checks";
import { embeddedSqliteAdapter } from "./sqlite-adapter";

// Its type asks for a name for every statement; the driver takes none (undefined) as unnamed.
type StatementNameGenerator = NonNullable<NonNullable<ConstructorParameters<typeof PrismaPg>[1]>["statementNameGenerator"]>;

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
 * A batch job's limits instead (users:import): a statement of a thousand rows may wait seconds on
 * PostgreSQL's index upkeep (a GIN index's pending list merged in by the insert that fills it),
 * and the serving pool's 1.5 s would end the job there. Nobody waits on a batch job for an answer.
 */
const BATCH_TIMEOUTS = { query_timeout: 300_000, statement_timeout: 300_000 } as const;
let batchJob = false;

/** Gives this process a batch job's timeouts; before its first statement (the pool is made once). */
export function runAsBatchJob(): void {
  if (holder.__authDb) throw new Error("runAsBatchJob() must come before the first statement");
  batchJob = true;
}

/**
 * The Prisma client for DATABASE_URL, for the data layer only (lib/db/sql.ts hands it out as
 * `prisma(tx)`). Both generated clients come from one data model (prisma/schema.prisma; the SQLite
 * one is derived from it), so they have the same API and the data layer is written once against
 * the PostgreSQL client's types.
 */
export type Db = PrismaClient;
/** An interactive transaction of Prisma's (lib/db/sql.ts binds it to one of its own). */
export type PrismaTx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * The data layer's statements are prepared once per connection (lib/db/prepared-statements.ts),
 * unless the URL says `pgbouncer=true`, Prisma's own spelling for a pooler in transaction mode,
 * where the next transaction may run on a server connection that never saw the statement.
 */
function postgresOptions(databaseUrl: string): ConstructorParameters<typeof PrismaPg>[1] {
  if (new URL(databaseUrl).searchParams.get("pgbouncer") === "true") sendStatementsUnprepared();
  return { statementNameGenerator: preparedStatementName as StatementNameGenerator };
}

function createDb(): Db {
  const { databaseUrl, databaseKind } = config();
  const factory = bindable(
    remembered(watched(databaseKind === "postgres" ? deferringBegins(new PrismaPg({ connectionString: databaseUrl, ...POSTGRES_POOL, ...(batchJob ? BATCH_TIMEOUTS : {}) }, postgresOptions(databaseUrl))) : embeddedSqliteAdapter(databaseUrl))),
  );
  if (databaseKind === "postgres") return new PrismaClient({ adapter: factory });
  return new SqlitePrismaClient({ adapter: factory }) as unknown as Db;
}

/**
 * PrismaPg's adapter with its pool's transactions sending BEGIN with their first statement
 * (lib/db/postgres-pipeline.ts). The adapter keeps the pool it made as `client`.
 */
function deferringBegins(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      const pool = (adapter as { client?: Partial<pg.Pool> }).client;
      // Not `instanceof`: a bundle may hold its own copy of pg's module.
      if (typeof pool?.on !== "function" || typeof pool.connect !== "function") throw new Error("PrismaPg's adapter no longer keeps its pool as `client`");
      deferTransactionStarts(pool as pg.Pool);
      watchSessionCheckChanges(pool as pg.Pool);
      holder.__authPostgresPool = pool as pg.Pool;
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/** A transaction's connection at the driver adapter's level: where Prisma's statements of it go. */
export type TransactionConnection = Pick<Transaction, "queryRaw" | "executeRaw">;

/**
 * The isolation level that marks the interactive transaction lib/db/sql.ts opens to bind Prisma's
 * query API to one of its own transactions; nothing else in the app asks Prisma for one.
 */
export const BINDING_ISOLATION_LEVEL = "Serializable" as const;

// The offer and its queue are on globalThis, like the client: Next.js compiles some entries with
// copies of lib/ of their own, and every copy's offers must wait for one another.
const offer = globalThis as unknown as {
  __authPrismaOffer?: { connection: TransactionConnection; taken: () => void };
  __authPrismaOffers?: Promise<void>;
};

/**
 * Offers `connection` to the next interactive transaction Prisma starts with the binding isolation
 * level, once every earlier offer was taken or withdrawn (one at a time, so none can take another's
 * connection). Resolves, at its turn, to the offer's withdrawal (for a start that failed).
 */
export async function offerToPrisma(connection: TransactionConnection): Promise<() => void> {
  let taken!: () => void;
  const turnEnds = new Promise<void>((resolve) => (taken = resolve));
  const previous = offer.__authPrismaOffers ?? Promise.resolve();
  offer.__authPrismaOffers = previous.then(() => turnEnds);
  await previous;
  const current = { connection, taken };
  offer.__authPrismaOffer = current;
  return () => {
    if (offer.__authPrismaOffer === current) offer.__authPrismaOffer = undefined;
    taken();
  };
}

/**
 * The Prisma client's connection: a transaction it starts with the binding isolation level is the
 * open transaction offered (lib/db/sql.ts), so its statements are part of that one and it ends
 * with it; every other statement and transaction is the adapter's own.
 */
function bindable(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        ...(adapter.getConnectionInfo ? { getConnectionInfo: adapter.getConnectionInfo.bind(adapter) } : {}),
        queryRaw: (q) => adapter.queryRaw(q),
        executeRaw: (q) => adapter.executeRaw(q),
        executeScript: (s) => adapter.executeScript(s),
        startTransaction: async (isolationLevel) => {
          const offered = offer.__authPrismaOffer;
          if (!offered || String(isolationLevel).toUpperCase() !== BINDING_ISOLATION_LEVEL.toUpperCase()) return adapter.startTransaction(isolationLevel);
          offer.__authPrismaOffer = undefined;
          offered.taken();
          return partOf(offered.connection, adapter);
        },
        dispose: () => adapter.dispose(),
      } satisfies SqlDriverAdapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

/** Prisma's view of a transaction opened elsewhere: its statements are that one's, its end is that one's. */
function partOf(connection: TransactionConnection, adapter: SqlDriverAdapter): Transaction {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    // Prisma sends no BEGIN or COMMIT of its own for it.
    options: { usePhantomQuery: true },
    queryRaw: (q) => connection.queryRaw(q),
    executeRaw: (q) => connection.executeRaw(q),
    // The transaction that was offered commits or rolls back; a failure reaches it as an error.
    commit: async () => {},
    rollback: async () => {},
  };
}

// One client per process; kept on globalThis so dev-mode module reloads don't open more.
const holder = globalThis as unknown as { __authDb?: Db; __authAdapter?: Promise<SqlDriverAdapter>; __authPostgresPool?: pg.Pool };

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

/**
 * PostgreSQL: session checks served from memory (ADR 019), listening on a connection with the
 * pool's settings, so that an outage ends its waits as it ends the pool's.
 */
export function startSessionCheckCache(ttlMs: number): SessionChecks<unknown> {
  return startSessionChecks({ connectionString: config().databaseUrl, ...POSTGRES_POOL }, ttlMs);
}

/** The PostgreSQL adapter's pool, once connected: lib/db/sql.ts runs its statements outside transactions on it. */
export function postgresPool(): pg.Pool | undefined {
  return holder.__authPostgresPool;
}

export function prismaClient(): Db {
  holder.__authDb ??= createDb();
  return holder.__authDb;
}

export async function disconnectDb(): Promise<void> {
  await stopSessionChecks();
  await holder.__authDb?.$disconnect();
  holder.__authDb = undefined;
  holder.__authAdapter = undefined;
  holder.__authPostgresPool = undefined;
}
