import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OAuth2Server, type JWK } from "oauth2-mock-server";
import type { TestProject } from "vitest/node";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from "../support/database";
import { startMailSink, type MailSink } from "../support/mail-sink";
import { freePort } from "../support/ports";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    mailApiUrl: string;
    /** The SMTP side of the mail sink, for tests that start a server of their own. */
    smtpUrl: string;
    logFile: string;
    databaseUrl: string;
    databaseKind: TestDatabaseKind;
    /** Holds the server clock's offset in ms (lib/clock.ts); see e2e/api/helpers.ts setClockOffset. */
    clockFile: string;
    /** The stand-in for https://accounts.google.com that the app server trusts (GOOGLE_ISSUER). */
    googleIssuerUrl: string;
    /** The audiences the app server accepts (GOOGLE_CLIENT_ID): web, Android, iOS. */
    googleClientIds: string[];
    /** The issuer's signing key, private part included, so tests sign id_tokens with any claims. */
    googleSigningKey: JWK;
    /** The server's secrets, as a shell on the server has them: for its scripts (npm run oauth:client). */
    serverSecrets: Record<string, string>;
    /** Resource servers the OpenID provider issues JWT access tokens for (OAUTH_RESOURCES): an API's, and an MCP server's that oidc-mcp.test.ts serves on its port. */
    oauthResources: { api: string; mcp: string; mcpPort: number };
  }
}

let app: AppServer | undefined;
let mail: MailSink | undefined;
let database: TestDatabase | undefined;
let google: OAuth2Server | undefined;

const GOOGLE_CLIENT_IDS = ["web-client", "android-client", "ios-client"];

/** One production server over a fresh database and a real SMTP sink for the whole HTTP suite. */
export async function setup(project: TestProject) {
  const kind = (process.env.TEST_DB ?? "sqlite") as TestDatabaseKind;
  database = await createTestDatabase(kind);
  mail = await startMailSink();
  const clockFile = path.join(mkdtempSync(path.join(tmpdir(), "auth-test-clock-")), "offset");
  writeFileSync(clockFile, "0");
  // A real OpenID issuer (discovery document and JWKS over HTTP) for the Google endpoints. Its
  // JS API lives in this process, out of reach of the test workers, so they get its key instead
  // and sign id_tokens themselves; the app fetches the public half as it would Google's.
  google = new OAuth2Server();
  const googleSigningKey = await google.issuer.keys.generate("RS256", { kid: "e2e-google-key" });
  await google.start(0, "127.0.0.1");
  // The mock calls itself "localhost"; one spelling for the app, the tokens and the discovery document.
  const googleIssuerUrl = `http://127.0.0.1:${google.address().port}`;
  google.issuer.url = googleIssuerUrl;
  const secrets = testSecrets();
  // The MCP server of oidc-mcp.test.ts is its own resource server: its URL must be listed before the app starts.
  const mcpPort = await freePort();
  const oauthResources = { api: "https://api.example.test/", mcp: `http://127.0.0.1:${mcpPort}/mcp`, mcpPort };
  app = await startAppServer({
    ...secrets,
    DATABASE_URL: database.url,
    SMTP_URL: mail.smtpUrl,
    MAIL_FROM: "auth@example.test",
    AUTH_TEST_CLOCK_FILE: clockFile,
    // Tests speak for many clients from 127.0.0.1: each request names its own address in
    // X-Forwarded-For, so per-address limits apply per test instead of to the whole suite.
    TRUST_PROXY: "true",
    GOOGLE_ISSUER: googleIssuerUrl,
    GOOGLE_CLIENT_ID: GOOGLE_CLIENT_IDS.join(","),
    OAUTH_RESOURCES: `${oauthResources.api},${oauthResources.mcp}`,
    OAUTH_DYNAMIC_REGISTRATION: "true",
  });
  project.provide("clockFile", clockFile);
  project.provide("baseUrl", app.url);
  project.provide("mailApiUrl", mail.apiUrl);
  project.provide("smtpUrl", mail.smtpUrl);
  project.provide("logFile", app.logFile);
  project.provide("databaseUrl", database.url);
  project.provide("databaseKind", kind);
  project.provide("googleIssuerUrl", googleIssuerUrl);
  project.provide("googleClientIds", GOOGLE_CLIENT_IDS);
  project.provide("googleSigningKey", googleSigningKey);
  project.provide("serverSecrets", secrets);
  project.provide("oauthResources", oauthResources);
}

export async function teardown() {
  await app?.stop();
  await mail?.close();
  await google?.stop();
  await database?.drop();
}
