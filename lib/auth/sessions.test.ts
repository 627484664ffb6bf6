import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { User } from "@/lib/db/users";
import {
  APP_URL,
  DAY,
  HOUR,
  MINUTE,
  advance,
  advanceSeconds,
  appError,
  client,
  freshClient,
  setUpAuthTests,
  twoFactorUser,
  verifiedUser,
} from "./testing";
import type { Tokens } from "./types";

setUpAuthTests();

const {
  authenticate,
  endSession,
  endSessionOfRefreshToken,
  listSessions,
  refreshSession,
  resumeBrowserSession,
  signOutEverywhere,
  startAppSession,
  startBrowserSession,
} = await import("./sessions");
const { config } = await import("@/lib/config/env");
const { database } = await import("@/lib/db");
const { revokeAllSessions } = await import("@/lib/db/sessions");
const { findUserById } = await import("@/lib/db/users");
const { commitsOf } = await import("@/lib/db/sqlite-statements");
const { recordStatements } = await import("@/lib/db/testing");

async function signedIn(): Promise<{ user: User; sessionId: string; tokens: Tokens }> {
  const { user } = await verifiedUser();
  return { user, ...(await startAppSession(database, user, client, "password")) };
}

/** The session of `tokens` has ended: neither of them works. */
const refused = (tokens: Tokens) =>
  Promise.all([
    expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" }),
    expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject(appError("REFRESH_INVALID", "refreshToken")),
  ]);

describe("app sessions", () => {
  it("give an access token naming the session in sid, for this service's audience, that authenticate accepts", async () => {
    const { user, sessionId, tokens } = await signedIn();
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sid: sessionId, aud: `${APP_URL}/auth`, sub: String(user.id), id: user.id, token_type: "access" });
    expect(tokens.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(await authenticate(tokens.accessToken)).toEqual({ user: expect.objectContaining({ id: user.id }), sessionId, proof: { methods: ["password"], provedAt: expect.any(Date) } });
  });

  it("authenticate as the very record a lookup of the user gives (the session query names its columns)", async () => {
    const { tokens } = await signedIn();
    const plain = await authenticate(tokens.accessToken);
    expect(plain.user).toEqual(await findUserById(database, plain.user.id));
    const { caller } = await twoFactorUser();
    expect(caller.user.totpEnabledAt).toBeInstanceOf(Date);
    expect(caller.user).toEqual(await findUserById(database, caller.user.id));
    expect(caller.user).not.toHaveProperty("totpSecret");
  });

  it("refuse a token verified before its session ended: verified tokens are remembered, sessions are read every time", async () => {
    const { user, sessionId, tokens } = await signedIn();
    await authenticate(tokens.accessToken);
    await authenticate(tokens.accessToken);
    expect(await endSession(user.id, sessionId)).toBe(true);
    await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
  });

  it("refuse a remembered token once it expires, though its session lives on", async () => {
    const { tokens } = await signedIn();
    await authenticate(tokens.accessToken);
    advance(15 * MINUTE + 2 * MINUTE);
    await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    await expect(refreshSession(tokens.refreshToken, client)).resolves.toBeDefined();
  });

  it("end at logout (endSessionOfRefreshToken): access and refresh tokens are refused", async () => {
    const { tokens } = await signedIn();
    const other = await signedIn();
    await endSessionOfRefreshToken(tokens.refreshToken, client);
    await refused(tokens);
    // Other sessions are untouched; unknown or malformed tokens are fine to log out.
    await expect(authenticate(other.tokens.accessToken)).resolves.toBeDefined();
    await expect(endSessionOfRefreshToken("x".repeat(43), client)).resolves.toBeUndefined();
    await expect(endSessionOfRefreshToken("not a token", client)).resolves.toBeUndefined();
  });

  it("end at logout with a token that was already rotated", async () => {
    const { tokens } = await signedIn();
    const next = await refreshSession(tokens.refreshToken, client);
    await endSessionOfRefreshToken(tokens.refreshToken, client);
    await refused(next);
  });

  it("all end with signOutEverywhere, browser sessions too", async () => {
    const { user, tokens } = await signedIn();
    const second = await startAppSession(database, user, freshClient(), "password");
    const browser = await startBrowserSession(database, user, freshClient(), "password");
    await signOutEverywhere(await authenticate(tokens.accessToken), client);
    await refused(tokens);
    await refused(second.tokens);
    expect(await resumeBrowserSession(user.id, browser)).toBeNull();
    expect(await listSessions(user.id)).toEqual([]);
  });

  it("all end with revokeAllSessions, except the one named", async () => {
    const { user, tokens, sessionId } = await signedIn();
    const second = await startAppSession(database, user, freshClient(), "password");
    const third = await startAppSession(database, user, freshClient(), "password");
    expect(await revokeAllSessions(database, user.id, "session_revoked", sessionId)).toBe(2);
    await refused(second.tokens);
    await refused(third.tokens);
    await expect(authenticate(tokens.accessToken)).resolves.toMatchObject({ sessionId });

    expect(await revokeAllSessions(database, user.id, "session_revoked")).toBe(1);
    await refused(tokens);
  });

  it("are refused without a token or with a malformed one", async () => {
    await expect(authenticate(null)).rejects.toMatchObject({ code: "NOT_AUTHENTICATED" });
    await expect(authenticate("a.b.c")).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    await expect(refreshSession("not a token", client)).rejects.toMatchObject(appError("REFRESH_INVALID", "refreshToken"));
    await expect(refreshSession("x".repeat(43), client)).rejects.toMatchObject(appError("REFRESH_INVALID", "refreshToken"));
  });
});

describe("refreshSession", () => {
  it("is one commit: the address's count with the rotation", async () => {
    const { tokens } = await signedIn();
    const recorder = recordStatements();
    try {
      await refreshSession(tokens.refreshToken, freshClient());
    } finally {
      recorder.stop();
    }
    expect(commitsOf(recorder.statements)).toBe(1);
  });

  it("counts every refresh from an address, malformed, unknown or good: the 151st in 5 minutes is RATE_LIMITED", async () => {
    const from = freshClient();
    let { tokens } = await signedIn();
    for (let i = 0; i < 50; i++) await expect(refreshSession("not a token", from)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    for (let i = 0; i < 50; i++) await expect(refreshSession("x".repeat(43), from)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    for (let i = 0; i < 50; i++) tokens = await refreshSession(tokens.refreshToken, from);
    await expect(refreshSession(tokens.refreshToken, from)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // A full window answers before the token is looked at, whatever the token.
    await expect(refreshSession("not a token", from)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(refreshSession("x".repeat(43), from)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // The refused request changed nothing: the token still works from elsewhere.
    await expect(refreshSession(tokens.refreshToken, freshClient())).resolves.toBeDefined();
  });

  it("takes a refused refresh of a replayed token back whole: the session it would have ended goes on", async () => {
    const from = freshClient();
    const { sessionId, tokens } = await signedIn();
    const honest = await refreshSession(tokens.refreshToken, freshClient());
    for (let i = 0; i < 150; i++) await expect(refreshSession("x".repeat(43), from)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    advanceSeconds(11);
    await expect(refreshSession(tokens.refreshToken, from)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await expect(authenticate(honest.accessToken)).resolves.toMatchObject({ sessionId });
  });

  it("rotates: the new pair works and names the same session", async () => {
    const { sessionId, tokens } = await signedIn();
    const next = await refreshSession(tokens.refreshToken, client);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(decodeJwt(next.accessToken).sid).toBe(sessionId);
    await expect(authenticate(next.accessToken)).resolves.toMatchObject({ sessionId });
    await expect(refreshSession(next.refreshToken, client)).resolves.toBeDefined();
  });

  it("gives a token presented again within the reuse interval a working pair, and the session goes on", async () => {
    const { sessionId, tokens } = await signedIn();
    const first = await refreshSession(tokens.refreshToken, client);
    advanceSeconds(9);
    const second = await refreshSession(tokens.refreshToken, client);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    // Both branches go on.
    for (const branch of [first, second]) {
      await expect(authenticate(branch.accessToken)).resolves.toMatchObject({ sessionId });
      await expect(refreshSession(branch.refreshToken, client)).resolves.toBeDefined();
    }
  });

  it("takes a token presented again after the interval for a replay: REFRESH_INVALID and the whole session ends", async () => {
    const { user, tokens } = await signedIn();
    const honest = await refreshSession(tokens.refreshToken, client);
    advanceSeconds(11);
    await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject(appError("REFRESH_INVALID", "refreshToken"));
    await refused(honest);
    await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    expect(await listSessions(user.id)).toEqual([]);
  });

  it("ends the session when concurrent uses of one token race and no reuse interval is allowed", async () => {
    const settings = config();
    const interval = settings.refreshReuseIntervalSeconds;
    settings.refreshReuseIntervalSeconds = 0;
    try {
      const { user, tokens } = await signedIn();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => refreshSession(tokens.refreshToken, freshClient())));
      expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason)).toEqual(
        Array.from({ length: 4 }, () => expect.objectContaining({ code: "REFRESH_INVALID" })),
      );
      // The one that won the token got a pair of a session that has ended meanwhile.
      const [won] = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      await refused(won!);
      expect(await listSessions(user.id)).toEqual([]);
    } finally {
      settings.refreshReuseIntervalSeconds = interval;
    }
  });

  it("gives each of 20 concurrent refreshes of one token a working pair", async () => {
    const { sessionId, tokens } = await signedIn();
    const pairs = await Promise.all(Array.from({ length: 20 }, () => refreshSession(tokens.refreshToken, freshClient())));
    expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(20);
    for (const pair of pairs) await expect(authenticate(pair.accessToken)).resolves.toMatchObject({ sessionId });
    await expect(refreshSession(pairs[19]!.refreshToken, client)).resolves.toBeDefined();
  });

  it("ends the session 90 days after sign-in, however often it is refreshed", async () => {
    const { user, tokens: first } = await signedIn();
    let tokens = first;
    for (let i = 0; i < 3; i++) {
      advance(29 * DAY);
      tokens = await refreshSession(tokens.refreshToken, client);
    }
    // Day 87: the session is still alive two days later…
    advance(2 * DAY + 23 * HOUR);
    tokens = await refreshSession(tokens.refreshToken, client);
    expect(await listSessions(user.id)).toHaveLength(1);
    // …and over just after day 90.
    advance(HOUR + 1000);
    await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    expect(await listSessions(user.id)).toEqual([]);
  });

  it("ends a session left unused for 30 days", async () => {
    const { user, tokens } = await signedIn();
    advance(30 * DAY + 1000);
    await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    expect(await listSessions(user.id)).toEqual([]);
  });
});

describe("listSessions", () => {
  it("lists the live sessions, most recently used first", async () => {
    const { user, sessionId: a, tokens } = await signedIn();
    advance(MINUTE);
    const b = await startBrowserSession(database, user, freshClient(), "password");
    advance(MINUTE);
    const c = await startAppSession(database, user, freshClient(), "password");
    advance(MINUTE);
    await refreshSession(tokens.refreshToken, client);
    expect((await listSessions(user.id)).map((s) => s.id)).toEqual([a, c.sessionId, b]);

    await endSession(user.id, c.sessionId);
    const listed = await listSessions(user.id);
    expect(listed.map((s) => s.id)).toEqual([a, b]);
    expect(listed[1]).toMatchObject({ kind: "browser", userId: user.id, userAgent: "vitest" });
  });
});

describe("browser sessions", () => {
  it("resume as their user until endSession", async () => {
    const { user } = await verifiedUser();
    const sessionId = await startBrowserSession(database, user, client, "password");
    expect(await resumeBrowserSession(user.id, sessionId)).toEqual({ user: expect.objectContaining({ id: user.id }), sessionId, proof: { methods: ["password"], provedAt: expect.any(Date) } });
    expect(await endSession(user.id, sessionId)).toBe(true);
    expect(await resumeBrowserSession(user.id, sessionId)).toBeNull();
    expect(await endSession(user.id, sessionId)).toBe(false);
  });

  it("are not resumed from an app session's id or for another user", async () => {
    const { user, sessionId: appSessionId } = await signedIn();
    const { user: other } = await verifiedUser();
    const browser = await startBrowserSession(database, user, client, "password");
    expect(await resumeBrowserSession(user.id, appSessionId)).toBeNull();
    expect(await resumeBrowserSession(other.id, browser)).toBeNull();
    // Nor ended by another user.
    expect(await endSession(other.id, browser)).toBe(false);
    await expect(resumeBrowserSession(user.id, browser)).resolves.not.toBeNull();
  });

  it("end when unused for 30 days, and resuming one counts as use", async () => {
    const { user } = await verifiedUser();
    const kept = await startBrowserSession(database, user, client, "password");
    const left = await startBrowserSession(database, user, client, "password");
    advance(20 * DAY);
    expect(await resumeBrowserSession(user.id, kept)).not.toBeNull();
    advance(10 * DAY + 1000);
    expect(await resumeBrowserSession(user.id, left)).toBeNull();
    expect(await resumeBrowserSession(user.id, kept)).not.toBeNull();
  });
});
