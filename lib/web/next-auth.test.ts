import { describe, expect, it, vi } from "vitest";
import type { User } from "@/lib/db/users";
import { APP_URL, client, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

const db = setUpAuthTests();

// A database that stops answering, for one session check.
const outage = vi.hoisted(() => ({ next: false }));
vi.mock("@/lib/auth/sessions", async (original) => {
  const sessions = await original<typeof import("@/lib/auth/sessions")>();
  return {
    ...sessions,
    resumeBrowserSession: (...args: Parameters<typeof sessions.resumeBrowserSession>) => {
      if (!outage.next) return sessions.resumeBrowserSession(...args);
      outage.next = false;
      return Promise.reject(new Error("Connection terminated unexpectedly"));
    },
  };
});

const { database } = await import("@/lib/db");
const { default: NextAuth } = await import("next-auth");
const { encode } = await import("next-auth/jwt");
const { endSession, startBrowserSession } = await import("@/lib/auth/sessions");
const { authOptions } = await import("./next-auth");
const { cookieMaxAgeSeconds, cookieSecret, sessionClaims, sessionCookieName } = await import("./session");
type SessionCheck = import("./next-auth").SessionCheck;

/** A browser session and the cookie a sign-in on this site writes for it. */
async function browserSession(user: User, claims: (sid: string) => Record<string, unknown> = (sid) => sessionClaims(user, sid)) {
  const sessionId = await startBrowserSession(database, user, client, "password");
  const token = await encode({ token: claims(sessionId), secret: cookieSecret(), maxAge: cookieMaxAgeSeconds() });
  return { sessionId, cookie: `${sessionCookieName()}=${token}` };
}

/** What next-auth's handler writes, by way of the few response methods it calls. */
class Answer {
  body: unknown;
  readonly headers = new Map<string, unknown>();
  status = () => this;
  setHeader = (name: string, value: unknown) => (this.headers.set(name.toLowerCase(), value), this);
  getHeader = (name: string) => this.headers.get(name.toLowerCase());
  send = (body: unknown) => void (this.body = body);
  json = this.send;
  end = () => {};
}

/** next-auth's own GET /api/auth/session, in-process (its Pages Router door), with this service's options. */
async function sessionEndpoint(cookie: string, check: SessionCheck = {}) {
  const [name, value] = cookie.split("=") as [string, string];
  const request = { method: "GET", query: { nextauth: ["session"] }, cookies: { [name]: value }, headers: { host: new URL(APP_URL).host } };
  const answer = new Answer();
  await (NextAuth as unknown as (req: unknown, res: unknown, options: unknown) => Promise<void>)(request, answer, authOptions(check));
  const setCookies = [answer.getHeader("set-cookie") ?? []].flat() as string[];
  return { body: answer.body as Record<string, unknown>, sessionCookie: setCookies.find((c) => c.startsWith(`${sessionCookieName()}=`)) };
}

const cleared = expect.stringMatching(new RegExp(`^${sessionCookieName()}=;.*Max-Age=0`));

describe("next-auth's session endpoint", () => {
  it("answers with the signed-in user, nothing about the session, and renews the cookie", async () => {
    const { user } = await verifiedUser();
    const { sessionId, cookie } = await browserSession(user);
    const { body, sessionCookie } = await sessionEndpoint(cookie);
    expect(body).toEqual({ user: { id: user.id, email: user.email, name: user.name }, expires: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain(sessionId);
    expect(sessionCookie).toMatch(new RegExp(`^${sessionCookieName()}=[^;]+;`));
  });

  it("answers `{}` and deletes the cookie once the session has ended elsewhere", async () => {
    const { user } = await verifiedUser();
    const { sessionId, cookie } = await browserSession(user);
    expect((await sessionEndpoint(cookie)).body.user).toBeDefined();
    await endSession(user.id, sessionId, "session_revoked");
    const { body, sessionCookie } = await sessionEndpoint(cookie);
    expect(body).toEqual({});
    expect(sessionCookie).toEqual(cleared);
  });

  it("answers `{}` for a disabled account", async () => {
    const { user } = await verifiedUser();
    const { cookie } = await browserSession(user);
    await db().user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    const { body, sessionCookie } = await sessionEndpoint(cookie);
    expect(body).toEqual({});
    expect(sessionCookie).toEqual(cleared);
  });

  it("answers `{}` for a cookie that names another user's session, or none", async () => {
    const { user } = await verifiedUser();
    const { user: other } = await verifiedUser("other");
    for (const claims of [(sid: string) => sessionClaims(other, sid), () => ({ sub: String(user.id), email: user.email })]) {
      const { cookie } = await browserSession(user, claims);
      expect((await sessionEndpoint(cookie)).body).toEqual({});
    }
  });

  it("reports a check that failed (the database) to the route instead of taking it for an ended session", async () => {
    const { user } = await verifiedUser();
    const { cookie } = await browserSession(user);
    const check: SessionCheck = {};
    outage.next = true;
    expect((await sessionEndpoint(cookie, check)).body).toEqual({});
    expect(check.failure).toMatchObject({ message: "Connection terminated unexpectedly" });
    expect((await sessionEndpoint(cookie)).body.user).toMatchObject({ id: user.id });
  });
});
