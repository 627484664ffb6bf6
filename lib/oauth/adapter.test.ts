import { afterEach, describe, expect, it, vi } from "vitest";
import { planOf, recordStatements, useTestDatabase } from "@/lib/db/testing";

const db = useTestDatabase();
const { accountReadBefore, CLIENT_CACHE_MS, OAuthAdapter, userIdOf } = await import("./adapter");
const { default: Provider } = await import("oidc-provider");
const { database } = await import("@/lib/db");
const { deleteGrantsOfSessions } = await import("@/lib/db/oauth");

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Runs `body` as if inside one request to the provider (which names its context through AsyncLocalStorage). */
async function inRequest<T>(body: () => Promise<T>): Promise<T> {
  vi.spyOn(Provider, "ctx", "get").mockReturnValue({} as never);
  try {
    return await body();
  } finally {
    vi.restoreAllMocks();
  }
}

async function user(email: string) {
  const role = await db().role.findFirstOrThrow({ where: { isDefault: true } });
  return db().user.create({ data: { email, roleId: role.id } });
}

describe("OAuthAdapter (oidc-provider's storage over lib/db)", () => {
  it("stores a model's payload and gives it back, by id, by uid and by user code", async () => {
    const [a, b] = [String((await user("a@example.test")).id), String((await user("b@example.test")).id)];
    const sessions = new OAuthAdapter("Session");
    await sessions.upsert("s1", { accountId: a, uid: "u1", kind: "Session" }, 60);
    expect(await sessions.find("s1")).toEqual({ accountId: a, uid: "u1", kind: "Session" });
    expect(await sessions.findByUid("u1")).toMatchObject({ accountId: a });
    expect(await new OAuthAdapter("Interaction").find("s1")).toBeUndefined();

    const devices = new OAuthAdapter("DeviceCode");
    await devices.upsert("d1", { userCode: "ABCD-EFGH", kind: "DeviceCode" }, 60);
    expect(await devices.findByUserCode("ABCD-EFGH")).toMatchObject({ kind: "DeviceCode" });

    // An upsert replaces the payload.
    await sessions.upsert("s1", { accountId: b, uid: "u1", kind: "Session" }, 60);
    expect(await sessions.find("s1")).toMatchObject({ accountId: b });
    await sessions.destroy("s1");
    expect(await sessions.find("s1")).toBeUndefined();
  });

  it("finds nothing once a row expired", async () => {
    const codes = new OAuthAdapter("AuthorizationCode");
    await codes.upsert("c-expiring", { kind: "AuthorizationCode" }, 60);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await codes.find("c-expiring")).toBeUndefined();
    // A row stored without a lifetime (a client) never expires.
    await new OAuthAdapter("Client").upsert("forever", { client_id: "forever" }, 0);
    vi.setSystemTime(Date.now() + 10 * 365 * 24 * 3600_000);
    expect(await new OAuthAdapter("Client").find("forever")).toMatchObject({ client_id: "forever" });
  });

  it("marks a consumed code with the time it was consumed", async () => {
    const codes = new OAuthAdapter("AuthorizationCode");
    await codes.upsert("c1", { kind: "AuthorizationCode", grantId: "g1" }, 60);
    expect((await codes.find("c1"))?.consumed).toBeUndefined();
    await codes.consume("c1");
    const consumed = (await codes.find("c1"))?.consumed;
    expect(consumed).toBeTypeOf("number");
    expect(Math.abs((consumed as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("lets a rotated refresh token work for REFRESH_REUSE_INTERVAL_SECONDS after its first use, then shows it consumed", async () => {
    const tokens = new OAuthAdapter("RefreshToken");
    await tokens.upsert("r-grace", { kind: "RefreshToken", grantId: "g-grace" }, 3600);
    await tokens.consume("r-grace");
    expect((await tokens.find("r-grace"))?.consumed).toBeUndefined();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 9_000);
    // A second use within the grace does not restart it.
    await tokens.consume("r-grace");
    vi.setSystemTime(Date.now() + 2_000);
    expect((await tokens.find("r-grace"))?.consumed).toBeTypeOf("number");
    // Codes have no grace: one use, and the provider sees it spent.
    const codes = new OAuthAdapter("AuthorizationCode");
    await codes.upsert("c-no-grace", { kind: "AuthorizationCode" }, 60);
    await codes.consume("c-no-grace");
    expect((await codes.find("c-no-grace"))?.consumed).toBeTypeOf("number");
  });

  it("revokes a grant: every code and token issued under it goes, whatever its model", async () => {
    await new OAuthAdapter("AuthorizationCode").upsert("c2", { grantId: "g2" }, 60);
    await new OAuthAdapter("AccessToken").upsert("a2", { grantId: "g2" }, 60);
    await new OAuthAdapter("RefreshToken").upsert("r2", { grantId: "g2" }, 60);
    await new OAuthAdapter("RefreshToken").upsert("r3", { grantId: "g3" }, 60);
    await new OAuthAdapter("RefreshToken").revokeByGrantId("g2");
    expect(await new OAuthAdapter("AuthorizationCode").find("c2")).toBeUndefined();
    expect(await new OAuthAdapter("AccessToken").find("a2")).toBeUndefined();
    expect(await new OAuthAdapter("RefreshToken").find("r2")).toBeUndefined();
    expect(await new OAuthAdapter("RefreshToken").find("r3")).toMatchObject({ grantId: "g3" });
  });

  it("records the account and the client a row was issued for (what Connected apps and a deleted account end by)", async () => {
    const owner = await user("owner@example.test");
    await new OAuthAdapter("RefreshToken").upsert("r-owned", { accountId: String(owner.id), clientId: "app", grantId: "g-owned" }, 60);
    await new OAuthAdapter("Client").upsert("app", { client_id: "app" }, 0);
    expect(await db().oAuthModel.findUniqueOrThrow({ where: { model_id: { model: "RefreshToken", id: "r-owned" } } })).toMatchObject({ userId: owner.id, clientId: "app" });
    expect(await db().oAuthModel.findUniqueOrThrow({ where: { model_id: { model: "Client", id: "app" } } })).toMatchObject({ userId: null, clientId: null });
    expect(userIdOf("12")).toBe(12);
    for (const notAnAccount of [undefined, "", "0", "012", "1e3", "99999999999", 12]) expect(userIdOf(notAnAccount)).toBeNull();
  });

  it("reads a client again after CLIENT_CACHE_MS, and at once after this process wrote or removed it", async () => {
    const clients = new OAuthAdapter("Client");
    await clients.upsert("cached-app", { client_id: "cached-app", client_name: "One" }, 0);
    expect(await clients.find("cached-app")).toMatchObject({ client_name: "One" });
    await clients.upsert("cached-app", { client_id: "cached-app", client_name: "Two" }, 0);
    const found = await clients.find("cached-app");
    expect(found).toMatchObject({ client_name: "Two" });
    expect(Object.isFrozen(found)).toBe(true);
    // Removed by another process (the CLI): still served until the cache's time is up.
    await db().oAuthModel.deleteMany({ where: { model: "Client", id: "cached-app" } });
    expect(await clients.find("cached-app")).toMatchObject({ client_name: "Two" });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + CLIENT_CACHE_MS + 1);
    expect(await clients.find("cached-app")).toBeUndefined();
  });

  it("keeps a client's secret sealed at rest and gives it back in clear", async () => {
    const clients = new OAuthAdapter("Client");
    await clients.upsert("app", { client_id: "app", client_secret: "s3cret-value", redirect_uris: ["https://app.example/cb"] }, 0);
    const row = await db().oAuthModel.findUniqueOrThrow({ where: { model_id: { model: "Client", id: "app" } } });
    expect(row.payload).not.toContain("s3cret-value");
    expect(row.expiresAt).toBeNull();
    expect(await clients.find("app")).toEqual({ client_id: "app", client_secret: "s3cret-value", redirect_uris: ["https://app.example/cb"] });
  });

  it("finds a provider's session by uid, and a session's grants, through indexes that hold only those rows", async () => {
    const owner = await user("planned@example.test");
    const accountId = String(owner.id);
    await new OAuthAdapter("Session").upsert("sess-plan", { accountId, uid: "uid-plan", kind: "Session" }, 3600);
    await new OAuthAdapter("AccessToken").upsert("a-plan", { accountId, clientId: "app", grantId: "g-plan", sessionUid: "uid-plan", kind: "AccessToken" }, 60);
    const recorder = recordStatements();
    try {
      await new OAuthAdapter("Session").findByUid("uid-plan");
      await new OAuthAdapter("AccessToken").find("a-plan");
      await deleteGrantsOfSessions(database, { sessionId: "no-such-session" });
    } finally {
      recorder.stop();
    }
    const plans = await Promise.all(recorder.statements.map(async (text, i) => ({ text, plan: (await planOf(text, recorder.values[i]!)).join("\n") })));
    const planOfStatement = (pattern: RegExp) => plans.find((p) => pattern.test(p.text))!.plan;
    expect(planOfStatement(/"uid" = /)).toContain("OAuthModel_uid_idx");
    expect(planOfStatement(/s\."uid" = t\."uid"/)).toContain("OAuthModel_uid_idx");
    expect(planOfStatement(/"sessionId" = /)).toContain("OAuthModel_sessionId_idx");
  });

  it("answers a request's lookups of a token, its grant and its account from one read, until the request writes", async () => {
    const owner = await user("reader@example.test");
    const accountId = String(owner.id);
    await new OAuthAdapter("Grant").upsert("g-read", { accountId, clientId: "app", kind: "Grant", openid: { scope: "openid" } }, 3600);
    await new OAuthAdapter("Session").upsert("sess-read", { accountId, uid: "uid-read", kind: "Session" }, 3600);
    await new OAuthAdapter("AccessToken").upsert(
      "a-read",
      { accountId, clientId: "app", grantId: "g-read", sessionUid: "uid-read", expiresWithSession: true, kind: "AccessToken" },
      60,
    );
    const changeGrantBehindItsBack = (scope: string) =>
      db().oAuthModel.update({ where: { model_id: { model: "Grant", id: "g-read" } }, data: { payload: JSON.stringify({ accountId, openid: { scope } }) } });

    await inRequest(async () => {
      // Introspection asks the three token models at once: one of them has it.
      const [access, credentials, refresh] = await Promise.all(
        ["AccessToken", "ClientCredentials", "RefreshToken"].map((model) => new OAuthAdapter(model).find("a-read")),
      );
      expect([access?.kind, credentials, refresh]).toEqual(["AccessToken", undefined, undefined]);
      await changeGrantBehindItsBack("openid email");
      await db().oAuthModel.delete({ where: { model_id: { model: "Session", id: "sess-read" } } });
      // Read with the token, not again: the session it ends with, its grant, its account.
      expect(await new OAuthAdapter("Session").findByUid("uid-read")).toMatchObject({ accountId });
      expect(await new OAuthAdapter("Grant").find("g-read")).toMatchObject({ openid: { scope: "openid" } });
      expect(accountReadBefore(owner.id)).toMatchObject({ id: owner.id, email: "reader@example.test", roleName: expect.any(String) });
      expect(accountReadBefore(owner.id + 1)).toBeNull();
      // A write forgets what was read.
      await new OAuthAdapter("AccessToken").consume("a-read");
      expect(await new OAuthAdapter("Grant").find("g-read")).toMatchObject({ openid: { scope: "openid email" } });
      expect(await new OAuthAdapter("Session").findByUid("uid-read")).toBeUndefined();
      expect(accountReadBefore(owner.id)).toBeNull();
    });
    // Another request reads afresh.
    await changeGrantBehindItsBack("openid profile");
    await inRequest(async () => {
      expect(await new OAuthAdapter("AccessToken").find("a-read")).toMatchObject({ grantId: "g-read" });
      expect(await new OAuthAdapter("Grant").find("g-read")).toMatchObject({ openid: { scope: "openid profile" } });
    });
    // An expired grant does not come with its token.
    await db().oAuthModel.update({ where: { model_id: { model: "Grant", id: "g-read" } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await inRequest(async () => {
      expect(await new OAuthAdapter("AccessToken").find("a-read")).toMatchObject({ grantId: "g-read" });
      expect(await new OAuthAdapter("Grant").find("g-read")).toBeUndefined();
    });
  });
});
