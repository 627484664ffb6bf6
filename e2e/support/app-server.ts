import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCommand } from "../../scripts/start-command.mjs";
import { freePort } from "./ports";

export interface AppServer {
  url: string;
  port: number;
  logFile: string;
  env: Record<string, string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function testSecrets() {
  const { privateKey } = generateKeyPairSync("ed25519");
  return {
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    JWT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    // The OpenID provider's ID-token key (ADR 015): without it, production serves no /oauth/.
    OIDC_RSA_PRIVATE_KEY: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/**
 * Starts the production server (`npm start`'s command line, needs `next build` first) on a free port and
 * waits until /healthz answers 200. Its stdout and stderr go to `logFile`. With `dev`, it is
 * `npm run dev`'s server instead (no build needed; NODE_ENV is Next.js's "development").
 */
export async function startAppServer(env: Record<string, string>, options: { dev?: boolean } = {}): Promise<AppServer> {
  const port = Number(env.PORT) || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFile = env.LOG_FILE ?? path.join(mkdtempSync(path.join(tmpdir(), "auth-test-log-")), "server.log");
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    ...(options.dev ? {} : { NODE_ENV: "production" }),
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: url,
    LOG_LEVEL: "info",
    NEXT_TELEMETRY_DISABLED: "1",
    ...env,
  };
  const out = createWriteStream(logFile, { flags: "a" });
  const root = path.resolve(import.meta.dirname, "../..");
  // `npm start`'s flags (heap limits), so the suites prove the server lives within them.
  const start = startCommand(root, options.dev ? "dev" : "start");
  const child: ChildProcess = spawn(process.execPath, start.args, {
    cwd: root,
    env: { ...start.env, ...fullEnv } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r("running"), 200))]);
    if (early !== "running") throw new Error(`app server exited with code ${String(early)} during start-up; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`app server did not become healthy within 60 s; see ${logFile}`);
    }
  }

  return {
    url,
    port,
    logFile,
    env: fullEnv,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      out.end();
    },
  };
}
