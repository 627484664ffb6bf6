import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The environment, validated once. In production a missing secret stops the server with a message
 * naming it; in development secrets are generated once and kept under ./data/ (git-ignored) so
 * sessions and tokens survive restarts of `npm run dev`.
 */

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: positiveInt(3000),
  APP_NAME: z.string().min(1).default("Auth"),
  APP_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().optional(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  JWT_PRIVATE_KEY: z.string().optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default("no-reply@localhost"),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_ISSUER: z.string().url().default("https://accounts.google.com"),
  OTP_LENGTH: z.coerce.number().int().min(4).max(10).default(4),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(1).max(128).default(8),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * 24 * 60 * 60),
  AUTH_EXPOSE_OTP: flag,
  AUTH_CLIENT_TOKENS: z.string().optional(),
  AUTH_GENERIC_ERRORS: flag,
  TRUST_PROXY: flag,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

type RawEnv = z.infer<typeof EnvSchema>;

export type DatabaseKind = "sqlite" | "postgres";

export interface AppConfig {
  nodeEnv: RawEnv["NODE_ENV"];
  isProduction: boolean;
  port: number;
  appName: string;
  appUrl: string;
  dataDir: string;
  databaseUrl: string;
  databaseKind: DatabaseKind;
  authSecret: string;
  jwtPrivateKey: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  google: { clientIds: string[]; clientSecret: string | undefined; issuer: string };
  otpLength: number;
  passwordMinLength: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  exposeOtp: boolean;
  clientTokens: string[];
  genericErrors: boolean;
  trustProxy: boolean;
  logLevel: RawEnv["LOG_LEVEL"];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function databaseKindOf(url: string): DatabaseKind {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  if (url.startsWith("file:")) return "sqlite";
  throw new ConfigError(`DATABASE_URL must be a file: URL (embedded SQLite) or postgresql://… (got "${url.split(":")[0]}:…")`);
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

interface DevSecrets {
  authSecret: string;
  jwtPrivateKey: string;
}

/** Development only: secrets generated on first start and reused afterwards. */
function loadDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, "dev-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DevSecrets;
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync("ed25519");
  const secrets: DevSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    jwtPrivateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  // "wx" fails if another process won the race; then read what it wrote.
  try {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  } catch {
    return JSON.parse(readFileSync(file, "utf8")) as DevSecrets;
  }
  return secrets;
}

export function parseConfig(source: Record<string, string | undefined>): AppConfig {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === "production";
  const dataDir = path.resolve(env.DATA_DIR);

  if (isProduction) {
    const missing = (["AUTH_SECRET", "JWT_PRIVATE_KEY", "SMTP_URL"] as const).filter((k) => !env[k]);
    if (missing.length > 0) {
      throw new ConfigError(
        `Missing required environment in production: ${missing.join(", ")}. ` +
          "See the README's Configuration section.",
      );
    }
  }
  const devSecrets = !env.AUTH_SECRET || !env.JWT_PRIVATE_KEY ? loadDevSecrets(dataDir) : undefined;
  const databaseUrl = env.DATABASE_URL || `file:${path.join(dataDir, "auth.db")}`;

  return {
    nodeEnv: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    appName: env.APP_NAME,
    appUrl: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    dataDir,
    databaseUrl,
    databaseKind: databaseKindOf(databaseUrl),
    authSecret: env.AUTH_SECRET ?? devSecrets!.authSecret,
    jwtPrivateKey: env.JWT_PRIVATE_KEY ?? devSecrets!.jwtPrivateKey,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    google: {
      clientIds: list(env.GOOGLE_CLIENT_ID),
      clientSecret: env.GOOGLE_CLIENT_SECRET,
      issuer: env.GOOGLE_ISSUER.replace(/\/+$/, ""),
    },
    otpLength: env.OTP_LENGTH,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    exposeOtp: env.AUTH_EXPOSE_OTP,
    clientTokens: list(env.AUTH_CLIENT_TOKENS),
    genericErrors: env.AUTH_GENERIC_ERRORS,
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
  };
}

let cached: AppConfig | undefined;

/** The process's configuration, parsed on first use (at start-up, from instrumentation). */
export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
