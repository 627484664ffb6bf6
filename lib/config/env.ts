import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { LOCALES, type Locale } from "../i18n/locales";
import { databaseKindOfUrl, databaseUrlFromEnv } from "./database-url.mjs";
import { DEFAULT_SIGNUP_FIELDS, parseSignupFields, type SignupFields } from "./signup-fields";

/**
 * The environment, validated once. In production a missing secret stops the server with a message
 * naming it; in development secrets are generated once and kept under ./data/ (git-ignored) so
 * sessions and tokens survive restarts of `npm run dev`.
 */

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** A flag that is on unless set to a false value. */
const flagOnByDefault = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === undefined || v === "" || v === "true" || v === "1" || v === "yes");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** TRUST_PROXY: how many proxies stand in front of the service; `true` is one, `false` none. */
const proxyCount = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? "").trim().toLowerCase();
    if (s === "" || s === "false" || s === "no" || s === "0") return 0;
    if (s === "true" || s === "yes") return 1;
    if (/^[1-9][0-9]?$/.test(s)) return Number(s);
    ctx.addIssue({ code: "custom", message: "TRUST_PROXY must be true, false or the number of proxies (1-99)" });
    return z.NEVER;
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: positiveInt(3000),
  APP_NAME: z.string().min(1).default("Auth"),
  DEFAULT_LOCALE: z.enum(LOCALES).default("en"),
  APP_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().optional(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  JWT_PRIVATE_KEY: z.string().optional(),
  OIDC_RSA_PRIVATE_KEY: z.string().optional(),
  OAUTH_RESOURCES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const resources = list(v);
      for (const resource of resources) {
        const problem = resourceProblem(resource);
        if (problem) ctx.addIssue({ code: "custom", message: `OAUTH_RESOURCES: ${resource} ${problem}` });
      }
      return resources;
    }),
  OAUTH_DYNAMIC_REGISTRATION: flag,
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default("no-reply@localhost"),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_ISSUER: z.string().url().default("https://accounts.google.com"),
  OTP_LENGTH: z.coerce.number().int().min(4).max(10).default(4),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(1).max(128).default(8),
  SIGNUP_FIELDS: z
    .string()
    .default(DEFAULT_SIGNUP_FIELDS)
    .transform((v, ctx) => {
      const parsed = parseSignupFields(v);
      if ("fields" in parsed) return parsed.fields;
      ctx.addIssue({ code: "custom", message: parsed.problem });
      return z.NEVER;
    }),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * 24 * 60 * 60),
  REFRESH_REUSE_INTERVAL_SECONDS: nonNegativeInt(10),
  REAUTH_MAX_AGE_SECONDS: positiveInt(600),
  ADMIN_REQUIRE_TWO_FACTOR: flagOnByDefault,
  SESSION_MAX_AGE_SECONDS: positiveInt(90 * 24 * 60 * 60),
  SESSION_CACHE_SECONDS: nonNegativeInt(30),
  AUDIT_RETENTION_DAYS: positiveInt(365),
  HOUSEKEEPING_INTERVAL_MS: positiveInt(10 * 60_000),
  AUTH_EXPOSE_OTP: flag,
  AUTH_CLIENT_TOKENS: z.string().optional(),
  AUTH_GENERIC_ERRORS: flag,
  TRUST_PROXY: proxyCount,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
});

type RawEnv = z.infer<typeof EnvSchema>;

export type DatabaseKind = "sqlite" | "postgres";

export interface AppConfig {
  nodeEnv: RawEnv["NODE_ENV"];
  isProduction: boolean;
  port: number;
  appName: string;
  /** The pages' and mails' language when neither the account nor the browser names one of LOCALES. */
  defaultLocale: Locale;
  appUrl: string;
  dataDir: string;
  databaseUrl: string;
  databaseKind: DatabaseKind;
  authSecret: string;
  jwtPrivateKey: string;
  /**
   * The OpenID provider's RS256 ID-token key (OIDC_RSA_PRIVATE_KEY, ADR 015). In development it is
   * generated once under DATA_DIR; in production the provider is off (/oauth/ answers 404) until it is set.
   */
  oidcRsaPrivateKey: string | undefined;
  /**
   * The resource servers the OpenID provider issues JWT access tokens for (OAUTH_RESOURCES; RFC 8707
   * resource indicators, RFC 9068 tokens): a `resource` listed here becomes the token's `aud`, any
   * other is refused with invalid_target.
   */
  oauthResources: string[];
  /** Dynamic client registration (RFC 7591) at /oauth/reg, public clients only (OAUTH_DYNAMIC_REGISTRATION). */
  oauthDynamicRegistration: boolean;
  /** Admins act only with two-factor on (ADMIN_REQUIRE_TWO_FACTOR, default true). */
  adminRequireTwoFactor: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  google: { clientIds: string[]; clientSecret: string | undefined; issuer: string };
  otpLength: number;
  passwordMinLength: number;
  /** What the sign-up page asks for besides e-mail and password (SIGNUP_FIELDS; the API is unaffected). */
  signupFields: SignupFields;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseIntervalSeconds: number;
  /** Sensitive changes need a session whose last proof is younger than this (lib/auth/proof.ts). */
  reauthMaxAgeSeconds: number;
  sessionMaxAgeSeconds: number;
  /** PostgreSQL: how long a session check's row may be served from memory (ADR 019); 0 = never. */
  sessionCacheSeconds: number;
  auditRetentionDays: number;
  /** How often each instance offers to sweep (lib/housekeeping.ts); the lease lets one of them do it. */
  housekeepingIntervalMs: number;
  exposeOtp: boolean;
  clientTokens: string[];
  genericErrors: boolean;
  /** Proxies in front of the service (TRUST_PROXY): the client address is that many from the right of X-Forwarded-For. */
  trustedProxies: number;
  logLevel: RawEnv["LOG_LEVEL"];
  /** GET /metrics answers only `Authorization: Bearer <this>`; without it the endpoint is off (404). */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Why a resource indicator cannot be one (RFC 8707: an absolute URI without a fragment), or null. */
function resourceProblem(resource: string): string | null {
  if (!URL.canParse(resource)) return "is not an absolute URI";
  if (resource.includes("#")) return "must not have a fragment";
  return null;
}

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

/** Development only: the OpenID provider's RS256 key, generated on first start and reused afterwards. */
function loadDevRsaKey(dataDir: string): string {
  const file = path.join(dataDir, "dev-oidc-rsa-key.pem");
  if (existsSync(file)) return readFileSync(file, "utf8");
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
  } catch {
    return readFileSync(file, "utf8");
  }
  return pem;
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
  const appUrl = (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  if (isProduction && !isSecureOrLoopback(appUrl)) {
    throw new ConfigError(
      `APP_URL must be an https:// URL in production (got ${appUrl}): links in e-mails and cookies would travel in clear text. ` +
        "Only a loopback host (localhost, 127.0.0.1, ::1) may use http://.",
    );
  }
  // The legacy API's own tokens are for APP_URL/auth (lib/tokens/access.ts): never a resource of the provider's.
  if (env.OAUTH_RESOURCES.includes(`${appUrl}/auth`)) {
    throw new ConfigError(`OAUTH_RESOURCES must not name ${appUrl}/auth: it is the audience of this service's own access tokens`);
  }
  const devSecrets = !env.AUTH_SECRET || !env.JWT_PRIVATE_KEY ? loadDevSecrets(dataDir) : undefined;
  const databaseUrl = databaseUrlFromEnv(source);
  let databaseKind: DatabaseKind;
  try {
    databaseKind = databaseKindOfUrl(databaseUrl);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }

  return {
    nodeEnv: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    appName: env.APP_NAME,
    defaultLocale: env.DEFAULT_LOCALE,
    appUrl,
    dataDir,
    databaseUrl,
    databaseKind,
    authSecret: env.AUTH_SECRET ?? devSecrets!.authSecret,
    jwtPrivateKey: env.JWT_PRIVATE_KEY ?? devSecrets!.jwtPrivateKey,
    oidcRsaPrivateKey: env.OIDC_RSA_PRIVATE_KEY ?? (isProduction ? undefined : loadDevRsaKey(dataDir)),
    oauthResources: env.OAUTH_RESOURCES,
    oauthDynamicRegistration: env.OAUTH_DYNAMIC_REGISTRATION,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    google: {
      clientIds: list(env.GOOGLE_CLIENT_ID),
      clientSecret: env.GOOGLE_CLIENT_SECRET,
      issuer: env.GOOGLE_ISSUER.replace(/\/+$/, ""),
    },
    otpLength: env.OTP_LENGTH,
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    signupFields: env.SIGNUP_FIELDS,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseIntervalSeconds: env.REFRESH_REUSE_INTERVAL_SECONDS,
    reauthMaxAgeSeconds: env.REAUTH_MAX_AGE_SECONDS,
    adminRequireTwoFactor: env.ADMIN_REQUIRE_TWO_FACTOR,
    sessionMaxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
    sessionCacheSeconds: env.SESSION_CACHE_SECONDS,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    housekeepingIntervalMs: env.HOUSEKEEPING_INTERVAL_MS,
    exposeOtp: env.AUTH_EXPOSE_OTP,
    clientTokens: list(env.AUTH_CLIENT_TOKENS),
    genericErrors: env.AUTH_GENERIC_ERRORS,
    trustedProxies: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    metricsToken: env.METRICS_TOKEN,
  };
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True for https:// URLs and for http:// ones on a loopback host (a developer's or a test's own machine). */
export function isSecureOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === "https:" || (protocol === "http:" && (LOOPBACK_HOSTS.has(hostname) || hostname.endsWith(".localhost")));
}

let cached: AppConfig | undefined;

/** The process's configuration, parsed on first use (at start-up, from instrumentation). */
export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
