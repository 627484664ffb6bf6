#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, backed by the WebAssembly engine
// (./wasm-engine.mjs). prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here, so the standard
// `prisma migrate dev|deploy|status|reset|resolve|diff` and `prisma db push|execute` work offline.
//
// The Prisma 7.10 CLI uses the binary in three ways, and so must we:
//   schema-engine --version                       → prints "schema-engine-cli <hash>"
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database | create-database | drop-database
//       one-shot; success: exit 0; failure: exit 1 with a JSON log line on stderr
//       {"level":"ERROR","target":"schema_engine::logger","fields":{"error_code":"P1003","message":…}}
//   schema-engine [--datamodels <schema file>]… [--datasource '{"url":…,"shadowDatabaseUrl":…}']
//                 [--enabled-preview-features a,b] [--extension-types <json>]
//       a JSON-RPC 2.0 server: one request per stdin line, one response per stdout line. Methods
//       seen from the CLI: applyMigrations, createMigration, dbExecute, devDiagnostic,
//       diagnoseMigrationHistory, diff, evaluateDataLoss, introspect, markMigrationApplied,
//       markMigrationRolledBack, reset, schemaPush (same names as the wasm engine's), plus
//       getDatabaseVersion and createDatabase (done here). The engine may send the CLI one request
//       itself, `print` {content} (how a diff reaches stdout). Errors go back as
//       {code, message, data: {is_panic, message, error_code?, meta}}, which the CLI prints.
//       stderr carries JSON log lines, which the CLI collects to explain a crash.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import readline from "node:readline";

import {
  createDatabase,
  dialectOfUrl,
  dropDatabase,
  ensureDatabaseReachable,
  openSchemaEngine,
  sqlitePathOfUrl,
  wasmEngineVersion,
} from "./wasm-engine.mjs";

const logLine = (level, fields) =>
  process.stderr.write(JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" }) + "\n");

function parseArgs(argv) {
  const out = { datamodels: [], datasource: {}, positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    if (eq > 0) [arg, value] = [arg.slice(0, eq), arg.slice(eq + 1)];
    const next = () => value ?? argv[++i];
    switch (arg) {
      case "-d":
      case "--datamodels":
        out.datamodels.push(next());
        break;
      case "--datasource":
        out.datasource = JSON.parse(next());
        break;
      case "--enabled-preview-features":
      case "--extension-types":
        next(); // Neither changes anything for the wasm engine and our schema (no extensions).
        break;
      case "-V":
      case "--version":
        out.version = true;
        break;
      case "-h":
      case "--help":
        out.help = true;
        break;
      default:
        if (arg.startsWith("-")) logLine("WARN", { message: `schema-engine shim: ignoring unknown argument ${arg}` });
        else out.positionals.push(arg);
    }
  }
  return out;
}

// PRISMA_ENGINE_SHIM_TRACE=/some/file records the arguments and every request/response (debugging).
const trace = process.env.PRISMA_ENGINE_SHIM_TRACE
  ? (what, data) => appendFileSync(process.env.PRISMA_ENGINE_SHIM_TRACE, `${new Date().toISOString()} ${process.pid} ${what} ${JSON.stringify(data)}\n`)
  : () => {};
trace("argv", process.argv.slice(2));

const args = parseArgs(process.argv.slice(2));

if (args.version) {
  process.stdout.write(`schema-engine-cli ${await wasmEngineVersion()}\n`);
  process.exit(0);
}
if (args.help) {
  process.stdout.write("Prisma schema engine (WebAssembly stand-in). See prisma/engine/schema-engine.mjs.\n");
  process.exit(0);
}

if (args.positionals[0] === "cli") await runCliCommand(args.positionals[1], args.datasource.url);
else await serveJsonRpc();

async function runCliCommand(command, url) {
  // The CLI skips the first stderr line (the native binary's start-up log) before parsing the rest.
  logLine("INFO", { message: "Starting schema engine CLI (WebAssembly stand-in)" });
  try {
    if (!url) throw Object.assign(new Error("The datasource.url property is required in your Prisma config file."), { code: "P1012" });
    let message;
    if (command === "can-connect-to-database") {
      await ensureDatabaseReachable(url);
      message = "Connection successful";
    } else if (command === "create-database") {
      message = `Database '${await createDatabase(url)}' was successfully created.`;
    } else if (command === "drop-database") {
      await dropDatabase(url);
      message = "The database was successfully dropped.";
    } else {
      throw new Error(`Unknown cli subcommand ${command}`);
    }
    logLine("INFO", { message });
    process.exit(0);
  } catch (error) {
    logLine("ERROR", { is_panic: false, error_code: error.code ?? "", message: error.message });
    process.exit(1);
  }
}

async function serveJsonRpc() {
  const { url, shadowDatabaseUrl } = args.datasource;
  const datamodels = args.datamodels.map((file) => [file, readFileSync(file, "utf8")]);
  const forwardLog = (line) => process.stderr.write(`${line.trimEnd()}\n`);

  const send = (message) => {
    trace("->", message);
    process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n");
  };

  // The engine connects when created, so we create it on the first request: a connection error
  // then goes back as that request's JSON-RPC error (what the CLI prints) instead of a crash.
  // `migrate diff` between schemas/migrations never touches the configured database (the native
  // engine does not connect for it): on SQLite we then use an in-memory database rather than
  // create an empty file at DATABASE_URL.
  let enginePromise;
  const engine = (request) => {
    if (!url) throw new Error("The datasource.url property is required in your Prisma config file.");
    const usesNoDatabase =
      request.method === "diff" && ![request.params?.from, request.params?.to].some((t) => t?.tag === "schemaDatasource");
    const engineUrl = usesNoDatabase && !enginePromise && dialectOfUrl(url) === "sqlite" && !existsSync(sqlitePathOfUrl(url)) ? "file::memory:" : url;
    enginePromise ??= openSchemaEngine({ url: engineUrl, shadowDatabaseUrl, datamodels, log: forwardLog });
    return enginePromise;
  };

  // Requests we send to the CLI: only `print` (it writes `content` to its stdout and answers {}).
  let nextId = 1;
  const awaitingReply = new Map();
  const print = (content) =>
    new Promise((resolve) => {
      const id = nextId++;
      awaitingReply.set(id, resolve);
      send({ id, method: "print", params: { content: content.replace(/\n$/, "") } });
    });

  // Methods the native binary has and the wasm engine lacks (or names differently).
  const special = {
    getDatabaseVersion: async (request) => (await engine(request)).call("version", request.params ?? undefined),
    createDatabase: async (request) => ({ databaseName: await createDatabase(request.params?.datasource?.url ?? url) }),
    // The native engine prints the diff through `print` and returns stdout: null; the CLI ignores
    // a returned stdout (`prisma migrate diff` would print nothing).
    diff: async (request) => {
      const result = await (await engine(request)).call("diff", request.params);
      if (result?.stdout) await print(result.stdout);
      return { ...result, stdout: null };
    },
  };

  async function handle(request) {
    const fn = special[request.method];
    const result = fn ? await fn(request) : await (await engine(request)).call(request.method, request.params);
    // Void methods (reset, dbExecute, …) must still send a `result`, or the CLI rejects the reply.
    return result === undefined ? {} : result;
  }

  // One request at a time, in arrival order (the CLI sends them one by one anyway; the pg pool
  // has a single connection).
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    trace("<-", message);
    if (!message.method) {
      awaitingReply.get(message.id)?.();
      awaitingReply.delete(message.id);
      return;
    }
    queue = queue.then(async () => {
      try {
        const result = await handle(message);
        if (message.id !== undefined) send({ id: message.id, result });
      } catch (error) {
        if (message.id !== undefined) send({ id: message.id, error: rpcError(error) });
        else logLine("ERROR", { message: error.message });
      }
    });
  });
  lines.on("close", async () => {
    await queue;
    if (enginePromise) await enginePromise.then((e) => e.close()).catch(() => {});
    process.exit(0);
  });
}

/** The error shape the CLI understands (the native engine's): details under `data`. */
function rpcError(error) {
  if (error.rpcCode) return { code: error.rpcCode, message: error.message };
  const data = { is_panic: Boolean(error.isPanic), message: error.message, meta: error.meta ?? null };
  if (error.code) data.error_code = error.code;
  if (error.isPanic) data.error = { message: error.message };
  return { code: 4466, message: "An error happened. Check the data field for details.", data };
}
