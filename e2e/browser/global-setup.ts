import { createServer, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OAuth2Server } from "oauth2-mock-server";
import { startAppServer, testSecrets } from "../support/app-server";
import { createTestDatabase } from "../support/database";
import { startMailSink } from "../support/mail-sink";
import { freePort } from "../support/ports";
import { ENV, type GoogleIdentity } from "./env";

/**
 * Starts everything the browser tests talk to and returns the teardown. The app server gets the
 * mock issuer as its Google (GOOGLE_ISSUER, client "web-client"/"web-secret"); the mock approves
 * every authorization at once, signing in as the identity the test last posted to the control
 * endpoint (the mock lives in this process, the tests in a worker).
 */
export default async function globalSetup() {
  const database = await createTestDatabase("sqlite");
  const mail = await startMailSink();

  const google = new OAuth2Server();
  await google.issuer.keys.generate("RS256");
  await google.start(0, "127.0.0.1");
  // The mock calls itself "localhost"; one spelling for the app, the tokens and the discovery document.
  const googleIssuerUrl = `http://127.0.0.1:${google.address().port}`;
  google.issuer.url = googleIssuerUrl;

  let identity: GoogleIdentity = { sub: "google-default", email: "google-default@example.test", email_verified: true };
  google.service.on("beforeTokenSigning", (token: { payload: Record<string, unknown> }) => {
    Object.assign(token.payload, { email_verified: true, ...identity });
  });
  google.service.on("beforeUserinfo", (response: { body: Record<string, unknown> }) => {
    Object.assign(response.body, { email_verified: true, ...identity });
  });
  const controlPort = await freePort();
  const control: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/identity") {
        identity = JSON.parse(body) as GoogleIdentity;
        res.end("{}");
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(controlPort, "127.0.0.1", resolve));

  const port = await freePort();
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), "auth-browser-log-")), "server.log");
  // The server's clock offset in ms (lib/clock.ts); fixtures.ts's `clock` moves it.
  const clockFile = path.join(path.dirname(logFile), "clock-offset");
  writeFileSync(clockFile, "0");
  // localhost, not 127.0.0.1: the passkeys' relying party is APP_URL's host, and WebAuthn refuses
  // an IP address as one ("This is an invalid domain"; no browser flag changes that).
  const appUrl = `http://localhost:${port}`;
  const app = await startAppServer({
    ...testSecrets(),
    PORT: String(port),
    LOG_FILE: logFile,
    DATABASE_URL: database.url,
    SMTP_URL: mail.smtpUrl,
    MAIL_FROM: "auth@example.test",
    APP_NAME: "Acme Accounts",
    GOOGLE_ISSUER: googleIssuerUrl,
    GOOGLE_CLIENT_ID: "web-client",
    GOOGLE_CLIENT_SECRET: "web-secret",
    APP_URL: appUrl,
    // next-auth builds its callback URL from this.
    NEXTAUTH_URL: appUrl,
    AUTH_TEST_CLOCK_FILE: clockFile,
  });

  const values: Record<(typeof ENV)[keyof typeof ENV], string> = {
    [ENV.baseUrl]: appUrl,
    [ENV.mailApiUrl]: mail.apiUrl,
    [ENV.databaseUrl]: database.url,
    [ENV.googleIssuerUrl]: googleIssuerUrl,
    [ENV.googleControlUrl]: `http://127.0.0.1:${controlPort}`,
    [ENV.logFile]: app.logFile,
    [ENV.clockFile]: clockFile,
  };
  Object.assign(process.env, values);
  // For a person debugging a run: where everything is.
  writeFileSync(path.join(path.dirname(logFile), "e2e-env.json"), JSON.stringify(values, null, 2));
  console.log(`browser e2e: app ${appUrl}, server log ${app.logFile}`);

  return async () => {
    await app.stop();
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await google.stop();
    await mail.close();
    await database.drop();
  };
}
