import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf, randomIp, type ApiResponse } from "./client";
import { addClientTo } from "./oidc-support";
import { authHeader, codeIn, confirmTokenIn, execSql, jwtPayload, mailsTo, setClockOffset, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * Two instances on one database, as behind a load balancer: every single-use thing stays single
 * use whichever instance a request reaches, limits count requests to both, and each queued mail is
 * sent once although both instances run a sender.
 */

let database: TestDatabase | undefined;
let a: AppServer | undefined;
let b: AppServer | undefined;
const secrets = testSecrets();

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseKind"));
  // One public address for both, as behind a load balancer: tokens name it as their issuer.
  const env = { ...secrets, APP_URL: "http://127.0.0.1", DATABASE_URL: database.url, SMTP_URL: inject("smtpUrl"), TRUST_PROXY: "true", LOG_LEVEL: "warn", AUTH_TEST_CLOCK_FILE: inject("clockFile") };
  [a, b] = await Promise.all([startAppServer(env), startAppServer(env)]);
}, 120_000);

afterAll(async () => {
  setClockOffset(0);
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

const on = (server: AppServer) => (method: string, path: string, options: Parameters<typeof apiOf>[2] = {}) => apiOf(method, path, { ...options, baseUrl: server.url });
const alternate = (i: number) => on(i % 2 === 0 ? a! : b!);

async function registered() {
  const email = uniqueEmail("two");
  const res = await on(a!)("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return { email, tokens: res.body.tokens as { access_token: string; refresh: string }, mail: await waitForMail(email) };
}

describe("two instances on one database", () => {
  it("verify with a code exactly once, 20 concurrent requests spread over both", async () => {
    const { email, mail } = await registered();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => alternate(i)("POST", "/auth/verify/otp/", { json: { email, otp: codeIn(mail) } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("confirm with a link exactly once, 20 concurrent requests spread over both", async () => {
    const { mail } = await registered();
    const token = confirmTokenIn(mail)!;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => alternate(i)("POST", "/auth/confirm-user", { headers: authHeader(token, "Token") })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("see a refresh token's reuse on one instance after its rotation on the other", async () => {
    const { tokens } = await registered();
    const rotated = await on(a!)("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } });
    expect(rotated.status).toBe(200);
    setClockOffset(11_000);
    try {
      expect((await on(b!)("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } })).status).toBe(401);
      // The session ended for both instances.
      expect((await on(a!)("POST", "/auth/token/refresh/", { json: { refresh: rotated.body.tokens.refresh } })).status).toBe(401);
    } finally {
      setClockOffset(0);
    }
  });

  it("end a session on both when it is ended on one", async () => {
    const { tokens } = await registered();
    expect((await on(b!)("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(200);
    expect((await on(a!)("POST", "/auth/logout/", { json: { refresh: tokens.refresh } })).status).toBe(200);
    expect((await on(b!)("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(401);
  });

  it("end a provider's access token on both when it is revoked on one", async () => {
    const client = await addClientTo({ databaseUrl: database!.url, appUrl: "http://127.0.0.1", secrets }, "--name", "Two Instances", "--redirect-uri", "https://rp.example.test/callback", "--grant", "client_credentials");
    const form = (server: AppServer, path: string, body: Record<string, string>) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}` },
        body: new URLSearchParams(body),
      }).then(async (res) => ({ status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> }));
    const issued = await form(a!, "/oauth/token", { grant_type: "client_credentials" });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const token = issued.body.access_token as string;
    const introspected = () => form(b!, "/oauth/token/introspection", { token }).then((res) => res.body.active);
    // Twice: the second answer may come from the instance's memory (ADR 019).
    expect([await introspected(), await introspected()]).toEqual([true, true]);
    expect((await form(a!, "/oauth/token/revocation", { token })).status).toBe(200);
    expect(await introspected()).toBe(false);
  });

  it("count a client's requests to both against one limit", async () => {
    const ip = randomIp();
    const attempt = (i: number) => alternate(i)("POST", "/auth/login/", { json: { email: uniqueEmail("nobody"), password: STRONG_PASSWORD }, headers: { "x-forwarded-for": ip } });
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(i)));
    expect(first.map((r) => r.status)).toEqual(Array(30).fill(400));
    expect((await attempt(0)).status).toBe(429);
    expect((await attempt(1)).status).toBe(429);
  });

  it("send each queued mail once, though both run a sender", async () => {
    const emails = Array.from({ length: 30 }, () => uniqueEmail("once"));
    await Promise.all(emails.map((email, i) => alternate(i)("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })));
    await Promise.all(emails.map((email) => waitForMail(email)));
    // A moment for any second copy to arrive.
    await new Promise((r) => setTimeout(r, 1500));
    const counts = await Promise.all(emails.map(async (email) => (await mailsTo(email)).length));
    expect(counts).toEqual(Array(30).fill(1));
  });
});

/**
 * Both instances under sustained concurrent load: logins (right and wrong passwords, unknown
 * addresses), refreshes (some tokens presented on both at once), me reads and sign-ups, while four
 * probes each push one limit past its end across both. A limit counted in an instance's memory
 * instead of the database would let a probe through twice as often (each instance sees half).
 */
describe("two instances on one database under sustained load", () => {
  const LOAD_MS = 12_000;
  const IN_FLIGHT = 32;
  // The contract's limits as a client meets them (lib/auth/limits.ts LIMITS): per address 30 logins
  // and 150 refreshes in 5 minutes, a wait after 10 failures in a row, 100 failures per account a day.
  const LIMITS = { client: { limit: 30 }, refresh: { limit: 150 }, loginStreak: { failuresBeforeWait: 10 }, accountFailures: { limit: 100 } } as const;
  // The probes: how many requests each sends, past the limit it tests.
  const LOGIN_GROUP_SENT = LIMITS.client.limit + 15;
  const REFRESH_GROUP_SENT = LIMITS.refresh.limit + 20;
  const STREAK_SENT = LIMITS.loginStreak.failuresBeforeWait + 6;
  const CEILING_SENT = LIMITS.accountFailures.limit + 15;
  const REFRESH_CHAINS = 3;

  interface Answer {
    what: string;
    path: string;
    status: number | "transport error";
    /** The answer is one the contract allows for this request. */
    allowed: boolean;
    detail: string;
  }
  const answers: Answer[] = [];

  /** Sends one request and records whether its answer is among `allowed` (by status and body). */
  async function send(what: string, server: AppServer, method: string, path: string, options: Parameters<typeof apiOf>[2], allowed: (res: ApiResponse) => boolean): Promise<ApiResponse | null> {
    try {
      const res = await on(server)(method, path, options);
      answers.push({ what, path, status: res.status, allowed: allowed(res), detail: res.text.slice(0, 200) });
      return res;
    } catch (error) {
      answers.push({ what, path, status: "transport error", allowed: false, detail: String((error as Error).cause ?? error) });
      return null;
    }
  }

  const countBy = <T>(items: T[], keyOf: (item: T) => string) => items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [keyOf(item)]: (counts[keyOf(item)] ?? 0) + 1 }), {});
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
  const anyInstance = () => pick([a!, b!]);
  const isTokens = (res: ApiResponse) => res.status === 200 && typeof res.body.tokens?.access_token === "string" && typeof res.body.tokens?.refresh === "string";
  const isTooMany = (res: ApiResponse) => res.status === 429 && Number(res.headers.get("retry-after")) >= 1 && /^Too many requests/.test(res.body.errors?.errors?.[0] ?? "");
  const isWrongPassword = (res: ApiResponse) => res.status === 400 && res.body.errors?.password?.[0] === "Password mismatch";
  const isUnknownEmail = (res: ApiResponse) => res.status === 400 && res.body.errors?.email?.[0] === "E-mail doesn't exists";
  const countOf = async (key: string) => Number((await execSql<{ count: number }>(`SELECT "count" FROM "RateLimit" WHERE "key" = $1`, [key], database!))[0]?.count ?? 0);
  const countRows = async (sql: string, params: unknown[] = []) => Number((await execSql<{ n: number }>(sql, params, database!))[0]!.n);

  /** Runs `tasks` (each a loop of requests) side by side, each in its own slot. */
  const inParallel = (tasks: Array<() => Promise<void>>) => Promise.all(tasks.map((task) => task()));
  /** `slots` loops that each take the next of `total` turns until none is left. */
  function turns(total: number, slots: number, turn: (i: number) => Promise<void>): Array<() => Promise<void>> {
    let next = 0;
    return Array.from({ length: slots }, () => async () => {
      while (next < total) await turn(next++);
    });
  }

  async function verifiedAccount() {
    const { email, tokens, mail } = await registered();
    const verified = await on(b!)("POST", "/auth/verify/otp/", { json: { email, otp: codeIn(mail) } });
    expect(verified.status, verified.text).toBe(200);
    return { email, tokens };
  }

  it("answer every request as the contract allows and hold every limit exactly, counted once for both", async () => {
    const accounts = await Promise.all(Array.from({ length: 16 }, () => verifiedAccount()));
    const [streakAccount, ceilingAccount] = await Promise.all([verifiedAccount(), verifiedAccount()]);
    const eventsOf = (type: string) => countRows(`SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "type" = $1`, [type]);
    const [failedBefore, reuseBefore] = [await eventsOf("login_failed"), await eventsOf("refresh_reuse")];

    // Every session handed out, by its access token's `sid`; each refresh that rotated.
    const sessions = new Set<string>();
    let rotations = 0;
    const accessTokens: string[] = [];
    const gotTokens = (res: ApiResponse | null) => {
      if (!res || !isTokens(res)) return null;
      sessions.add(jwtPayload(res.body.tokens.access_token).sid);
      accessTokens.push(res.body.tokens.access_token);
      return res.body.tokens.refresh as string;
    };
    for (const { tokens } of accounts) gotTokens({ status: 200, body: { tokens }, headers: new Headers(), text: "" });
    // Refresh tokens not yet used, for the background's refreshes (taken by one worker at a time).
    const unusedRefresh = accounts.slice(REFRESH_CHAINS).map(({ tokens }) => tokens.refresh);
    const wrongPasswords = new Map<string, number>();
    const signedUp: string[] = [];

    // ---- the probes, each alternating between the instances
    const loginGroupIp = randomIp();
    const loginGroup = turns(LOGIN_GROUP_SENT, 2, (i) =>
      send("login group probe", i % 2 ? a! : b!, "POST", "/auth/login/", { json: { email: uniqueEmail("nobody"), password: STRONG_PASSWORD }, headers: { "x-forwarded-for": loginGroupIp } }, (r) => isUnknownEmail(r) || isTooMany(r)).then(() => {}),
    );
    const streakIp = randomIp();
    const streak = turns(STREAK_SENT, 2, (i) =>
      send("streak probe", i % 2 ? a! : b!, "POST", "/auth/login/", { json: { email: streakAccount!.email, password: "Wrong-password-1!" }, headers: { "x-forwarded-for": streakIp } }, (r) => isWrongPassword(r) || isTooMany(r)).then(() => {}),
    );
    // Each from an address of its own: only the account's own ceiling can stop them.
    const ceiling = turns(CEILING_SENT, 3, (i) =>
      send("ceiling probe", i % 2 ? a! : b!, "POST", "/auth/login/", { json: { email: ceilingAccount!.email, password: "Wrong-password-1!" } }, (r) => isWrongPassword(r) || isTooMany(r)).then(() => {}),
    );
    const refreshGroupIp = randomIp();
    let refreshSent = 0;
    const refreshGroup = accounts.slice(0, REFRESH_CHAINS).map(({ tokens }, chain) => async () => {
      let token = tokens.refresh;
      while (refreshSent < REFRESH_GROUP_SENT) {
        const i = refreshSent++;
        const res = await send("refresh group probe", (i + chain) % 2 ? a! : b!, "POST", "/auth/token/refresh/", { json: { refresh: token }, headers: { "x-forwarded-for": refreshGroupIp } }, (r) => isTokens(r) || isTooMany(r));
        const next = gotTokens(res);
        if (next) {
          rotations++;
          token = next;
        }
      }
    });

    // ---- the background: every request from an address of its own, so no limit is near
    const deadline = Date.now() + LOAD_MS;
    const loginWith = async (email: string, password: string, what: string, allowed: (r: ApiResponse) => boolean) => {
      const next = gotTokens(await send(what, anyInstance(), "POST", "/auth/login/", { json: { email, password } }, allowed));
      if (next) unusedRefresh.push(next);
    };
    const background = async () => {
      while (Date.now() < deadline) {
        const roll = Math.random();
        if (roll < 0.25) {
          await loginWith(pick(accounts).email, STRONG_PASSWORD, "login", isTokens);
        } else if (roll < 0.35) {
          // Wrong passwords stay far below the account's ceiling.
          const { email } = pick(accounts);
          if ((wrongPasswords.get(email) ?? 0) >= LIMITS.accountFailures.limit / 2) continue;
          wrongPasswords.set(email, (wrongPasswords.get(email) ?? 0) + 1);
          await loginWith(email, "Wrong-password-1!", "login, wrong password", isWrongPassword);
        } else if (roll < 0.4) {
          await loginWith(uniqueEmail("nobody"), STRONG_PASSWORD, "login, unknown e-mail", isUnknownEmail);
        } else if (roll < 0.65 && unusedRefresh.length > 0) {
          const token = unusedRefresh.splice(Math.floor(Math.random() * unusedRefresh.length), 1)[0]!;
          // One in four is presented on both instances at once (two tabs): within the reuse interval both get a pair.
          const targets = Math.random() < 0.25 ? [a!, b!] : [anyInstance()];
          const results = await Promise.all(targets.map((server) => send(targets.length > 1 ? "refresh on both at once" : "refresh", server, "POST", "/auth/token/refresh/", { json: { refresh: token } }, isTokens)));
          const successors = results.map(gotTokens).filter((t): t is string => t !== null);
          rotations += successors.length;
          // One successor goes on; the other stays unused.
          if (successors[0]) unusedRefresh.push(successors[0]);
        } else if (roll < 0.9 && accessTokens.length > 0) {
          await send("me", anyInstance(), "GET", "/auth/me/", { headers: authHeader(pick(accessTokens)) }, (r) => r.status === 200 && typeof r.body.user?.userid === "number");
        } else {
          const email = uniqueEmail("load");
          const res = await send("sign-up", anyInstance(), "POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } }, isTokens);
          if (gotTokens(res)) signedUp.push(email);
        }
      }
    };
    const probes = [...loginGroup, ...streak, ...ceiling, ...refreshGroup];
    const started = Date.now();
    await inParallel([...probes, ...Array.from({ length: IN_FLIGHT - probes.length }, () => background)]);
    const seconds = (Date.now() - started) / 1000;

    // ---- no error, and every answer one the contract allows
    const tally = Object.entries(countBy(answers, (x) => `${x.what} → ${x.status}`)).map(([k, n]) => `${k}: ${n}`);
    console.log(`[load] ${answers.length} requests in ${seconds.toFixed(1)} s over two instances (${(answers.length / seconds).toFixed(0)}/s):\n  ${tally.sort().join("\n  ")}`);
    expect(answers.filter((x) => x.status === "transport error" || x.status >= 500)).toEqual([]);
    expect(answers.filter((x) => !x.allowed)).toEqual([]);
    // The mix ran: every kind of request was sent.
    const kinds = ["login", "login, wrong password", "login, unknown e-mail", "refresh", "refresh on both at once", "me", "sign-up"];
    expect(kinds.filter((what) => !answers.some((x) => x.what === what))).toEqual([]);

    // ---- each limit held exactly across both instances
    const statuses = (what: string) => countBy(answers.filter((x) => x.what === what), (x) => String(x.status));
    expect(statuses("login group probe")).toEqual({ 400: LIMITS.client.limit, 429: LOGIN_GROUP_SENT - LIMITS.client.limit });
    expect(statuses("refresh group probe")).toEqual({ 200: LIMITS.refresh.limit, 429: REFRESH_GROUP_SENT - LIMITS.refresh.limit });
    expect(statuses("streak probe")).toEqual({ 400: LIMITS.loginStreak.failuresBeforeWait, 429: STREAK_SENT - LIMITS.loginStreak.failuresBeforeWait });
    expect(statuses("ceiling probe")).toEqual({ 400: LIMITS.accountFailures.limit, 429: CEILING_SENT - LIMITS.accountFailures.limit });

    // ---- the database agrees with what was answered
    // Every login attempt is counted, refused or not; a refresh refused at the first look is not.
    expect(await countOf(`client:login:${loginGroupIp}`)).toBe(LOGIN_GROUP_SENT);
    expect(await countOf(`client:refresh:${refreshGroupIp}`)).toBeGreaterThanOrEqual(LIMITS.refresh.limit);
    expect(await countOf(`client:refresh:${refreshGroupIp}`)).toBeLessThanOrEqual(REFRESH_GROUP_SENT);
    expect(await countOf(`login-streak:${streakAccount!.email}:${streakIp}`)).toBe(LIMITS.loginStreak.failuresBeforeWait);
    expect(await countOf(`login-failures:${ceilingAccount!.email}`)).toBe(LIMITS.accountFailures.limit);
    const failedLogins = answers.filter((x) => x.status === 400 && x.path === "/auth/login/").length;
    expect(await eventsOf("login_failed")).toBe(failedBefore + failedLogins);

    // Every session that got tokens exists and is open; each rotation left exactly one new token, and
    // no token presented twice (always within the reuse interval) was taken for a replay.
    const sids = [...sessions];
    const placeholders = sids.map((_, i) => `$${i + 1}`).join(", ");
    expect(await countRows(`SELECT COUNT(*) AS n FROM "Session" WHERE "revokedAt" IS NULL AND "id" IN (${placeholders})`, sids)).toBe(sids.length);
    expect(await countRows(`SELECT COUNT(*) AS n FROM "RefreshToken" WHERE "sessionId" IN (${placeholders})`, sids)).toBe(sids.length + rotations);
    expect(await eventsOf("refresh_reuse")).toBe(reuseBefore);
    if (signedUp.length > 0) {
      expect(await countRows(`SELECT COUNT(*) AS n FROM "User" WHERE "email" IN (${signedUp.map((_, i) => `$${i + 1}`).join(", ")})`, signedUp)).toBe(signedUp.length);
    }
  }, 180_000);
});
