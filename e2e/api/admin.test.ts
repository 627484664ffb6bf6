import { describe, expect, it } from "vitest";
import { api } from "./client";
import {
  authHeader,
  execSql,
  registeredVerifiedUser,
  resetTokenIn,
  serverClock,
  STRONG_PASSWORD,
  twoFactorUser,
  uniqueEmail,
  waitForMail,
  mailsTo,
} from "./helpers";

/**
 * The admin API over HTTP (docs/admin.md): who gets in (401, 403), pages, filters, each action's
 * answer and effect, the fresh-proof and last-admin rules, the audit log (JSON and CSV), the figures.
 * The rules themselves are tested in-process in lib/admin/*.test.ts; this file checks the wire.
 */

const clock = serverClock();

/** An admin as the server requires one: two-factor on, a session proven just now. */
async function newAdmin() {
  const user = await twoFactorUser(clock);
  await execSql(`UPDATE "User" SET "roleId" = 1 WHERE "id" = $1`, [user.userId]);
  return { ...user, auth: { headers: authHeader(user.tokens.access_token) } };
}

const USER_ID = 999_999_999;
const READS = [
  ["GET", "/auth/admin/users/"],
  ["GET", `/auth/admin/users/${USER_ID}/`],
  ["GET", "/auth/admin/audit/"],
  ["GET", "/auth/admin/audit/?format=csv"],
  ["GET", "/auth/admin/stats/"],
] as const;
const ACTIONS = [
  ["DELETE", `/auth/admin/users/${USER_ID}/`],
  ["POST", `/auth/admin/users/${USER_ID}/disable/`],
  ["POST", `/auth/admin/users/${USER_ID}/enable/`],
  ["POST", `/auth/admin/users/${USER_ID}/sign-out/`],
  ["POST", `/auth/admin/users/${USER_ID}/send-reset/`],
  ["POST", `/auth/admin/users/${USER_ID}/resend-verification/`],
  ["POST", `/auth/admin/users/${USER_ID}/two-factor/reset/`],
  ["PUT", `/auth/admin/users/${USER_ID}/role/`],
  ["DELETE", `/auth/admin/users/${USER_ID}/sessions/00000000-0000-4000-8000-000000000000/`],
] as const;
const EVERY_ENDPOINT = [...READS, ...ACTIONS];
/** A valid body for the one endpoint that takes one; GETs send none. */
const bodyFor = (method: string) => (method === "GET" ? {} : { json: { roleid: 2 } });

/** The subject of the latest mail queued to `email` (a notice may wait its turn under the mail limits, so the outbox is read, not the mailbox). */
async function lastQueuedSubject(email: string): Promise<string | undefined> {
  const [row] = await execSql<{ subject: string }>(`SELECT "subject" FROM "OutboxEmail" WHERE "to" = $1 ORDER BY "id" DESC LIMIT 1`, [email]);
  return row?.subject;
}

const FORBIDDEN = { success: false, errors: { errors: ["You do not have permission to perform this action."] } };

describe("who gets in", () => {
  it("answers 401 without a token or with a bad one, on every endpoint", async () => {
    for (const [method, path] of EVERY_ENDPOINT) {
      expect((await api(method, path, bodyFor(method))).status, `${method} ${path}`).toBe(401);
      expect((await api(method, path, { ...bodyFor(method), headers: authHeader("not-a-token") })).status, `${method} ${path}`).toBe(401);
    }
  });

  it("answers 403 to a user who is no admin, and to an admin without two-factor, on every endpoint", async () => {
    const user = await registeredVerifiedUser();
    const adminWithoutTwoFactor = await registeredVerifiedUser();
    await execSql(`UPDATE "User" SET "roleId" = 1 WHERE "id" = $1`, [adminWithoutTwoFactor.userId]);
    for (const who of [user, adminWithoutTwoFactor]) {
      for (const [method, path] of EVERY_ENDPOINT) {
        const res = await api(method, path, { ...bodyFor(method), headers: authHeader(who.tokens.access_token) });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body, `${method} ${path}`).toEqual(FORBIDDEN);
      }
    }
  });

  it("answers 404 for an unknown id, and for an id that is no number", async () => {
    const admin = await newAdmin();
    for (const [method, path] of [["GET", `/auth/admin/users/${USER_ID}/`], ...ACTIONS] as const) {
      const res = await api(method, path, { ...admin.auth, ...bodyFor(method) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
    }
    expect((await api("GET", "/auth/admin/users/abc/", admin.auth)).status).toBe(404);
  });

  it("asks for a fresh proof before an action, not before a read", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    clock.later(11 * 60_000);
    const res = await api("POST", `/auth/admin/users/${target.userId}/sign-out/`, admin.auth);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: { errors: ["Confirm it's you first."] }, reauthentication_required: true });
    expect((await api("GET", `/auth/admin/users/${target.userId}/`, admin.auth)).status).toBe(200);
    // Still signed in: the action did not happen.
    expect((await api("GET", "/auth/me/", { headers: authHeader(target.tokens.access_token) })).status).toBe(200);
  });
});

describe("GET /auth/admin/users/", () => {
  it("finds accounts by a piece of the e-mail or the name, in pages that end with next_cursor null", async () => {
    const admin = await newAdmin();
    const tag = `pg${Date.now().toString(36)}`;
    const emails = [];
    for (let i = 0; i < 5; i++) emails.push((await registeredVerifiedUser(uniqueEmail(`${tag}-${i}`))).email);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?q=${tag.toUpperCase()}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await api("GET", `/auth/admin/users/${query}`, admin.auth);
      expect(res.status, res.text).toBe(200);
      expect(res.body.success).toBe(true);
      seen.push(...res.body.users.map((u: { email: string }) => u.email));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...emails].reverse());
    expect(pages).toBe(3);
    const [first] = (await api("GET", `/auth/admin/users/?q=${tag}-4`, admin.auth)).body.users;
    expect(first).toEqual({
      userid: expect.any(Number),
      email: emails[4],
      name: "",
      roleid: 2,
      role: "user",
      is_verified: true,
      disabled: false,
      two_factor: false,
      passkeys: 0,
      google: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      last_login_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("filters by status, role and two-factor", async () => {
    const admin = await newAdmin();
    const tag = `flt${Date.now().toString(36)}`;
    const plain = await registeredVerifiedUser(uniqueEmail(`${tag}-plain`));
    const unverified = uniqueEmail(`${tag}-new`);
    expect((await api("POST", "/auth/register/", { json: { email: unverified, password: STRONG_PASSWORD } })).status).toBe(200);
    const emailsOf = async (filters: string) => (await api("GET", `/auth/admin/users/?q=${tag}&${filters}`, admin.auth)).body.users.map((u: { email: string }) => u.email);
    expect(await emailsOf("status=unverified")).toEqual([unverified]);
    expect(await emailsOf("status=verified")).toEqual([plain.email]);
    expect(await emailsOf("two_factor=on")).toEqual([]);
    expect(await emailsOf("two_factor=off")).toEqual([unverified, plain.email]);
    expect(await emailsOf("role=admin")).toEqual([]);
    expect(await emailsOf("role=2")).toEqual([unverified, plain.email]);
    expect((await api("GET", `/auth/admin/users/?q=${admin.email}&role=admin&two_factor=on`, admin.auth)).body.users).toHaveLength(1);
  });

  it("answers 400 for a value out of its choices", async () => {
    const admin = await newAdmin();
    const bad = async (query: string) => (await api("GET", `/auth/admin/users/?${query}`, admin.auth)).body;
    expect(await bad("q=ab")).toEqual({ success: false, errors: { q: ["Type at least 3 characters to search."] } });
    expect(await bad("status=gone")).toEqual({ success: false, errors: { status: ['"gone" is not a valid choice.'] } });
    expect(await bad("two_factor=yes")).toEqual({ success: false, errors: { two_factor: ['"yes" is not a valid choice.'] } });
    expect(await bad("role=wizard")).toEqual({ success: false, errors: { role: ['"wizard" is not a valid choice.'] } });
    expect(await bad("limit=many")).toEqual({ success: false, errors: { limit: ["A valid integer is required."] } });
    expect((await bad("cursor=xyz")).errors).toHaveProperty("cursor");
    expect(await bad("sort=name")).toEqual({ success: false, errors: { sort: ['"name" is not a valid choice.'] } });
  });

  it("sorts by e-mail or last sign-in, either way, in pages whose cursor keeps the order", async () => {
    const admin = await newAdmin();
    const tag = `srt${Date.now().toString(36)}`;
    // Created c, a, b, each signed in by its confirmation in that order; then b signs in again.
    const made = [];
    for (const letter of ["c", "a", "b"]) made.push(await registeredVerifiedUser(`${tag}-${letter}@example.com`));
    clock.later(60_000);
    expect((await api("POST", "/auth/login/", { json: { email: made[2]!.email, password: STRONG_PASSWORD } })).status).toBe(200);
    const pages = async (sort: string) => {
      const emails: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api("GET", `/auth/admin/users/?q=${tag}&sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ""}`, admin.auth);
        expect(res.status, res.text).toBe(200);
        emails.push(...res.body.users.map((u: { email: string }) => u.email.slice(tag.length + 1, tag.length + 2)));
        cursor = res.body.next_cursor;
      } while (cursor);
      return emails.join("");
    };
    expect(await pages("email")).toBe("abc");
    expect(await pages("-email")).toBe("cba");
    expect(await pages("created")).toBe("cab");
    expect(await pages("-created")).toBe("bac");
    expect(await pages("-last_login")).toBe("bac");
    expect(await pages("last_login")).toBe("cab");
    // A cursor of one order is no place in another.
    const first = await api("GET", `/auth/admin/users/?q=${tag}&sort=email&limit=1`, admin.auth);
    expect((await api("GET", `/auth/admin/users/?q=${tag}&sort=-email&cursor=${first.body.next_cursor}`, admin.auth)).body.errors).toHaveProperty("cursor");
  });
});

describe("GET /auth/admin/users/{id}/", () => {
  it("shows the account, its live sessions and its last events", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    const res = await api("GET", `/auth/admin/users/${target.userId}/`, admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ userid: target.userId, email: target.email, is_verified: true, disabled: false, dob: null, mobile: "" });
    expect(res.body.sessions).toContainEqual({
      id: expect.any(String),
      kind: "api",
      created_at: expect.any(String),
      last_used_at: expect.any(String),
      ip: expect.any(String),
      user_agent: "node",
      methods: ["code"],
    });
    expect(res.body.audit.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(["signup", "email_verified", "login"]));
    expect(res.body.audit[0]).toEqual({ id: expect.any(Number), at: expect.any(String), type: expect.any(String), userid: target.userId, actor: null, ip: expect.any(String), user_agent: "node", details: expect.anything() });
  });
});

describe("actions", () => {
  const act = (admin: Awaited<ReturnType<typeof newAdmin>>, method: string, path: string, json?: unknown) => api(method, path, { ...admin.auth, json });

  it("disable ends the sessions and refuses logins; enable lets the account back in; both audited with the admin as actor", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    const disabled = await act(admin, "POST", `/auth/admin/users/${target.userId}/disable/`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({ success: true, errors: {} });
    expect((await api("GET", "/auth/me/", { headers: authHeader(target.tokens.access_token) })).status).toBe(401);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: target.tokens.refresh } })).status).toBe(401);
    expect((await api("POST", "/auth/login/", { json: { email: target.email, password: STRONG_PASSWORD } })).status).toBe(403);
    expect((await act(admin, "POST", `/auth/admin/users/${target.userId}/enable/`)).status).toBe(200);
    expect((await api("POST", "/auth/login/", { json: { email: target.email, password: STRONG_PASSWORD } })).status).toBe(200);
    const audit = await api("GET", `/auth/admin/audit/?user=${target.userId}&limit=3`, admin.auth);
    expect(audit.body.events.map((e: { type: string; actor: number | null }) => [e.type, e.actor])).toEqual([
      ["login", null],
      ["account_enabled", admin.userId],
      ["account_disabled", admin.userId],
    ]);
  });

  it("sign-out ends every session and refresh token", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    expect((await act(admin, "POST", `/auth/admin/users/${target.userId}/sign-out/`)).status).toBe(200);
    expect((await api("GET", "/auth/me/", { headers: authHeader(target.tokens.access_token) })).status).toBe(401);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: target.tokens.refresh } })).status).toBe(401);
  });

  it("ends one session of an account: 404 for a session of another account or one already ended; the owner is told", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    const stranger = await registeredVerifiedUser();
    const sessionOf = async (who: { userId: number }) => (await act(admin, "GET", `/auth/admin/users/${who.userId}/`)).body.sessions[0].id as string;
    const path = (id: string) => `/auth/admin/users/${target.userId}/sessions/${id}/`;
    const notFound = { success: false, errors: { errors: ["Not found."] } };
    expect((await act(admin, "DELETE", path(await sessionOf(stranger)))).body).toEqual(notFound);
    expect((await api("GET", "/auth/me/", { headers: authHeader(stranger.tokens.access_token) })).status).toBe(200);
    expect((await act(admin, "DELETE", path("not-a-session"))).status).toBe(404);
    const sessionId = await sessionOf(target);
    const ended = await act(admin, "DELETE", path(sessionId));
    expect(ended.status, ended.text).toBe(200);
    expect(ended.body).toEqual({ success: true, errors: {} });
    expect((await api("GET", "/auth/me/", { headers: authHeader(target.tokens.access_token) })).status).toBe(401);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: target.tokens.refresh } })).status).toBe(401);
    expect((await act(admin, "GET", `/auth/admin/users/${target.userId}/`)).body.sessions.map((s: { id: string }) => s.id)).not.toContain(sessionId);
    expect((await act(admin, "DELETE", path(sessionId))).body).toEqual(notFound);
    const [event] = (await api("GET", `/auth/admin/audit/?user=${target.userId}&limit=1`, admin.auth)).body.events;
    expect(event).toMatchObject({ type: "session_revoked", actor: admin.userId });
    expect(await lastQueuedSubject(target.email)).toMatch(/A device was signed out/);
  });

  it("send-reset mails the reset link; resend-verification mails a code to an unverified account only", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    expect((await act(admin, "POST", `/auth/admin/users/${target.userId}/send-reset/`)).status).toBe(200);
    const token = resetTokenIn(await waitForMail(target.email, 2));
    expect(token).toBeTruthy();
    const reset = await api("POST", "/auth/reset-password", { json: { password: `${STRONG_PASSWORD}!` }, headers: { authorization: `Token ${token}` } });
    expect(reset.status, reset.text).toBe(200);
    const again = await act(admin, "POST", `/auth/admin/users/${target.userId}/resend-verification/`);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ success: false, errors: { errors: ["This address is already confirmed."] } });

    const unverified = uniqueEmail("unverified");
    await api("POST", "/auth/register/", { json: { email: unverified, password: STRONG_PASSWORD } });
    await waitForMail(unverified);
    const [row] = await execSql<{ id: number }>(`SELECT "id" FROM "User" WHERE "email" = $1`, [unverified]);
    const id = row!.id;
    clock.later(61_000);
    expect((await act(admin, "POST", `/auth/admin/users/${id}/resend-verification/`)).status).toBe(200);
    await expect.poll(async () => (await mailsTo(unverified)).length).toBe(2);
  });

  it("two-factor reset removes the authenticator, ends the sessions, and tells the owner", async () => {
    const admin = await newAdmin();
    const target = await twoFactorUser(clock);
    expect((await act(admin, "POST", `/auth/admin/users/${target.userId}/two-factor/reset/`)).status).toBe(200);
    expect((await api("GET", "/auth/me/", { headers: authHeader(target.tokens.access_token) })).status).toBe(401);
    const login = await api("POST", "/auth/login/", { json: { email: target.email, password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.mfa_required).toBeUndefined();
    expect(await lastQueuedSubject(target.email)).toMatch(/Two-factor authentication is off/);
  });

  it("role: 400 for a missing or unknown roleid, 200 for a known one", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    const path = `/auth/admin/users/${target.userId}/role/`;
    expect((await act(admin, "PUT", path, { roleid: 99 })).body).toEqual({ success: false, errors: { roleid: ['"99" is not a valid choice.'] } });
    expect((await act(admin, "PUT", path, {})).body).toEqual({ success: false, errors: { roleid: ["This field is required."] } });
    expect((await act(admin, "PUT", path, { roleid: 3 })).status).toBe(200);
    expect((await api("GET", `/auth/admin/users/${target.userId}/`, admin.auth)).body.user).toMatchObject({ roleid: 3, role: "employer" });
  });

  it("an admin cannot demote, disable or delete the last admin", async () => {
    const admin = await newAdmin();
    // Admins other test files made step down, so this one is the last.
    await execSql(`UPDATE "User" SET "roleId" = 2 WHERE "roleId" = 1 AND "id" <> $1`, [admin.userId]);
    const LAST = { success: false, errors: { errors: ["This is the last admin: make another admin first."] } };
    const self = `/auth/admin/users/${admin.userId}`;
    expect((await act(admin, "PUT", `${self}/role/`, { roleid: 2 })).body).toEqual(LAST);
    expect((await act(admin, "POST", `${self}/disable/`)).body).toEqual(LAST);
    expect((await act(admin, "DELETE", `${self}/`)).body).toEqual(LAST);
    const next = await registeredVerifiedUser();
    expect((await act(admin, "PUT", `/auth/admin/users/${next.userId}/role/`, { roleid: 1 })).status).toBe(200);
    expect((await act(admin, "PUT", `${self}/role/`, { roleid: 2 })).status).toBe(200);
    // No longer an admin.
    expect((await api("GET", "/auth/admin/users/", admin.auth)).status).toBe(403);
  });

  it("delete erases the account as self-service deletion does", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    expect((await act(admin, "DELETE", `/auth/admin/users/${target.userId}/`)).status).toBe(200);
    expect((await api("GET", `/auth/admin/users/${target.userId}/`, admin.auth)).status).toBe(404);
    expect(await lastQueuedSubject(target.email)).toMatch(/account was deleted/);
    const events = (await api("GET", `/auth/admin/audit/?type=account_deleted&limit=1`, admin.auth)).body.events;
    expect(events[0]).toMatchObject({ type: "account_deleted", userid: null, actor: admin.userId, details: { user_id: target.userId } });
  });
});

describe("GET /auth/admin/audit/", () => {
  it("filters by user, type and time, in pages; CSV holds the same rows", async () => {
    const admin = await newAdmin();
    const target = await registeredVerifiedUser();
    const since = new Date(Date.now() - 60_000).toISOString();
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(
        "GET",
        `/auth/admin/audit/?user=${target.userId}&since=${since}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        admin.auth,
      );
      const events: Array<{ id: number; userid: number }> = page.body.events;
      expect(events.every((e) => e.userid === target.userId)).toBe(true);
      ids.push(...events.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const logins = (await api("GET", `/auth/admin/audit/?user=${target.userId}&type=login`, admin.auth)).body.events;
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((e: { type: string }) => e.type === "login")).toBe(true);
    expect((await api("GET", `/auth/admin/audit/?user=${target.userId}&until=${since}`, admin.auth)).body.events).toEqual([]);

    const csv = await fetch(`${(await import("./client")).baseUrl()}/auth/admin/audit/?user=${target.userId}&format=csv`, { headers: admin.auth.headers });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,at,type,userid,actor,ip,user_agent,details");
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(ids);
  });

  it("answers 400 for a time that is no ISO 8601, or a user that is no id", async () => {
    const admin = await newAdmin();
    expect((await api("GET", "/auth/admin/audit/?since=yesterday", admin.auth)).body.errors).toEqual({ since: ["Datetime has wrong format. Use ISO 8601, e.g. 2026-12-05T10:00:00Z."] });
    expect((await api("GET", "/auth/admin/audit/?user=me", admin.auth)).body.errors).toEqual({ user: ["A valid integer is required."] });
    expect((await api("GET", "/auth/admin/audit/?format=xml", admin.auth)).status).toBe(400);
  });
});

describe("GET /auth/admin/stats/", () => {
  it("counts per UTC day over `days`, with totals", async () => {
    const admin = await newAdmin();
    const before = (await api("GET", "/auth/admin/stats/?days=7", admin.auth)).body;
    expect(before.days).toHaveLength(7);
    expect(before.days.at(-1).date).toBe(new Date().toISOString().slice(0, 10));
    await registeredVerifiedUser();
    await api("POST", "/auth/login/", { json: { email: uniqueEmail("nobody"), password: STRONG_PASSWORD } });
    const after = (await api("GET", "/auth/admin/stats/?days=7", admin.auth)).body;
    expect(after.days.at(-1).signups - before.days.at(-1).signups).toBeGreaterThanOrEqual(1);
    expect(after.days.at(-1).verified - before.days.at(-1).verified).toBeGreaterThanOrEqual(1);
    expect(after.days.at(-1).failed_logins - before.days.at(-1).failed_logins).toBeGreaterThanOrEqual(1);
    expect(Object.keys(after.totals).sort()).toEqual(["failed_logins", "logins", "rate_limited", "signups", "users", "verified"]);
    expect(after.totals.logins).toBe(after.days.reduce((n: number, d: { logins: number }) => n + d.logins, 0));
    expect((await api("GET", "/auth/admin/stats/", admin.auth)).body.days).toHaveLength(30);
  });

  it("counts 429s", async () => {
    const admin = await newAdmin();
    const before = (await api("GET", "/auth/admin/stats/?days=1", admin.auth)).body.totals.rate_limited;
    const ip = { "x-forwarded-for": `10.99.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
    let limited = 0;
    for (let i = 0; i < 32 && limited === 0; i++) {
      const res = await api("POST", "/auth/login/", { json: { email: uniqueEmail("flood"), password: "x" }, headers: ip });
      if (res.status === 429) limited++;
    }
    expect(limited).toBe(1);
    await expect.poll(async () => (await api("GET", "/auth/admin/stats/?days=1", admin.auth)).body.totals.rate_limited).toBeGreaterThan(before);
  });
});

describe("the OpenAPI document", () => {
  it("declares every admin endpoint with its query parameters", async () => {
    const doc = (await api("GET", "/auth/openapi.json")).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/auth/admin/"))).toHaveLength(12);
    expect(doc.paths["/auth/admin/users/"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["q", "status", "role", "two_factor", "sort", "limit", "cursor"]);
    expect(doc.paths["/auth/admin/users/{id}/role/"].put.requestBody).toBeTruthy();
    expect(doc.paths["/auth/admin/users/{id}/sessions/{session_id}/"].delete.parameters.map((p: { name: string }) => p.name)).toEqual(["id", "session_id"]);
  });
});
