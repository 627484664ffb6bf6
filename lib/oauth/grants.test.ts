import type { Grant } from "oidc-provider";
import { describe, expect, it } from "vitest";
import type { User } from "@/lib/db/users";
import { client, PASSWORD, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

const db = setUpAuthTests();

const { allowedOfGrant, allowedPart, isNothing, mergeAllowed, rememberConsent, rememberedConsent, revokeApp } = await import("./grants");
const { OAuthAdapter } = await import("./adapter");
const { endSession, resumeBrowserSession, signOutEverywhere, startBrowserSession } = await import("@/lib/auth/sessions");
const { changePassword } = await import("@/lib/auth/password");
const { deleteAccount } = await import("@/lib/auth/account-deletion");
const { disableAccount } = await import("@/lib/auth/admin");
const { database } = await import("@/lib/db");
const { bindGrantToSession } = await import("@/lib/db/oauth");

const none = { scopes: [], claims: [], resources: {} };

describe("what a consent allows", () => {
  it("merges two consents: the union of scopes, claims and resource scopes", () => {
    expect(
      mergeAllowed(
        { scopes: ["openid", "email"], claims: ["name"], resources: { "https://api.example": ["read"] } },
        { scopes: ["openid", "profile"], claims: [], resources: { "https://api.example": ["write"], "https://mcp.example": ["tools"] } },
      ),
    ).toEqual({
      scopes: ["openid", "email", "profile"],
      claims: ["name"],
      resources: { "https://api.example": ["read", "write"], "https://mcp.example": ["tools"] },
    });
  });

  it("gives the part of a request a consent covers: all of it for a subset, the rest is asked", () => {
    const allowed = { scopes: ["openid", "email", "offline_access"], claims: ["name"], resources: { "https://api.example": ["read"] } };
    expect(allowedPart(allowed, { scopes: ["openid", "email"], claims: [], resources: {} })).toEqual({ scopes: ["openid", "email"], claims: [], resources: {} });
    expect(allowedPart(allowed, { scopes: ["openid", "profile"], claims: ["name", "birthdate"], resources: { "https://api.example": ["read", "write"], "https://other.example": ["x"] } })).toEqual({
      scopes: ["openid"],
      claims: ["name"],
      resources: { "https://api.example": ["read"] },
    });
    expect(isNothing(allowedPart(allowed, { scopes: ["profile"], claims: [], resources: {} }))).toBe(true);
    expect(isNothing(none)).toBe(true);
  });

  it("reads a grant as the provider counts it, rejected scopes left out", () => {
    const grant = {
      resources: { "https://api.example": "read write" },
      getOIDCScope: () => "openid email",
      getOIDCClaims: () => ["name"],
      getResourceScope: () => "read write",
    } as unknown as Grant;
    expect(allowedOfGrant(grant)).toEqual({ scopes: ["openid", "email"], claims: ["name"], resources: { "https://api.example": ["read", "write"] } });
  });
});

// ---- Grants and the sessions they were made under

let grantCount = 0;
const models = ["Grant", "AccessToken", "RefreshToken"] as const;

/** A grant as the provider stores it, made under `sessionId`, with an access and a refresh token. */
async function grantUnder(user: User, sessionId: string, scope: string, clientId = "app-1"): Promise<string> {
  const grantId = `grant-${++grantCount}`;
  const accountId = String(user.id);
  await new OAuthAdapter("Grant").upsert(grantId, { accountId, clientId, openid: { scope }, kind: "Grant" }, 3600);
  expect(await bindGrantToSession(database, grantId, sessionId)).toBe(true);
  await new OAuthAdapter("AccessToken").upsert(`at-${grantId}`, { accountId, clientId, grantId, kind: "AccessToken" }, 600);
  await new OAuthAdapter("RefreshToken").upsert(`rt-${grantId}`, { accountId, clientId, grantId, kind: "RefreshToken" }, 3600);
  return grantId;
}

/** Which of the grant, its access token and its refresh token are still there. */
async function alive(grantId: string): Promise<boolean[]> {
  const ids = [grantId, `at-${grantId}`, `rt-${grantId}`];
  return Promise.all(models.map(async (model, i) => (await new OAuthAdapter(model).find(ids[i]!)) !== undefined));
}

const LIVE = [true, true, true];
const ENDED = [false, false, false];

async function browser(user: User): Promise<string> {
  return startBrowserSession(database, user, client, "password");
}

describe("grants end with the session they were made under", () => {
  it("a plain sign-out keeps the grants with offline_access and ends the others", async () => {
    const { user } = await verifiedUser();
    const sessionId = await browser(user);
    const offline = await grantUnder(user, sessionId, "openid email offline_access");
    const online = await grantUnder(user, sessionId, "openid email");
    expect(await endSession(user.id, sessionId)).toBe(true);
    expect(await alive(offline)).toEqual(LIVE);
    expect(await alive(online)).toEqual(ENDED);
  });

  it("a revoke in the sessions list ends every grant made under that session, and only those", async () => {
    const { user } = await verifiedUser();
    const revoked = await browser(user);
    const other = await browser(user);
    const offline = await grantUnder(user, revoked, "openid offline_access");
    const elsewhere = await grantUnder(user, other, "openid offline_access");
    expect(await endSession(user.id, revoked, "session_revoked")).toBe(true);
    expect(await alive(offline)).toEqual(ENDED);
    expect(await alive(elsewhere)).toEqual(LIVE);
  });

  it("signing out everywhere ends all of the user's grants, those that outlived a sign-out too, and no one else's", async () => {
    const { user } = await verifiedUser();
    const { user: neighbour } = await verifiedUser("neighbour");
    const signedOut = await browser(user);
    const detached = await grantUnder(user, signedOut, "openid offline_access");
    await endSession(user.id, signedOut);
    expect(await alive(detached)).toEqual(LIVE);
    const open = await browser(user);
    const current = await grantUnder(user, open, "openid offline_access");
    const theirs = await grantUnder(neighbour, await browser(neighbour), "openid offline_access");

    await signOutEverywhere((await resumeBrowserSession(user.id, open))!, client);
    expect(await alive(detached)).toEqual(ENDED);
    expect(await alive(current)).toEqual(ENDED);
    expect(await alive(theirs)).toEqual(LIVE);
  });

  it("a password change ends the grants of the sessions it ends, and keeps those of the session that made it", async () => {
    const { user } = await verifiedUser();
    const acting = await browser(user);
    const other = await browser(user);
    const kept = await grantUnder(user, acting, "openid offline_access");
    const ended = await grantUnder(user, other, "openid offline_access");
    await changePassword((await resumeBrowserSession(user.id, acting))!, { currentPassword: PASSWORD, newPassword: "another long passphrase 42" }, client);
    expect(await alive(kept)).toEqual(LIVE);
    expect(await alive(ended)).toEqual(ENDED);
  });

  it("a disabled account's grants end; a deleted account's rows and consents go with it", async () => {
    const { user } = await verifiedUser();
    const disabled = await grantUnder(user, await browser(user), "openid offline_access");
    expect(await disableAccount(user, client)).toBe(true);
    expect(await alive(disabled)).toEqual(ENDED);

    const { user: leaving } = await verifiedUser("leaving");
    const sessionId = await browser(leaving);
    const grant = await grantUnder(leaving, sessionId, "openid offline_access");
    await db().oAuthConsent.create({ data: { userId: leaving.id, clientId: "app-1", scopes: "openid", grantedAt: new Date() } });
    await deleteAccount((await resumeBrowserSession(leaving.id, sessionId))!, { password: PASSWORD }, client);
    expect(await alive(grant)).toEqual(ENDED);
    expect(await db().oAuthModel.count({ where: { userId: leaving.id } })).toBe(0);
    expect(await db().oAuthConsent.count({ where: { userId: leaving.id } })).toBe(0);
  });

  it("binds no grant to a session that has ended", async () => {
    const { user } = await verifiedUser();
    const sessionId = await browser(user);
    await endSession(user.id, sessionId, "session_revoked");
    await new OAuthAdapter("Grant").upsert("late-grant", { accountId: String(user.id), clientId: "app-1", kind: "Grant" }, 3600);
    expect(await bindGrantToSession(database, "late-grant", sessionId)).toBe(false);
  });
});

describe("remembered consent and Connected apps", () => {
  const grantOf = (scope: string) =>
    ({ resources: {}, getOIDCScope: () => scope, getOIDCClaims: () => [], getResourceScope: () => "" }) as unknown as Grant;

  it("remembers what was allowed, adds what is allowed later, and audits each", async () => {
    const { user } = await verifiedUser();
    const caller = (await resumeBrowserSession(user.id, await browser(user)))!;
    expect(await rememberedConsent(user.id, "app-1")).toBeNull();
    await rememberConsent(caller, "app-1", grantOf("openid email"), client);
    await rememberConsent(caller, "app-1", grantOf("openid profile"), client);
    expect(await rememberedConsent(user.id, "app-1")).toEqual({ scopes: ["openid", "email", "profile"], claims: [], resources: {} });
    expect(await db().auditEvent.count({ where: { userId: user.id, type: "oauth_consent_given" } })).toBe(2);
  });

  it("revoking an app forgets its consent and ends its grants and tokens at once, and no other app's", async () => {
    const { user } = await verifiedUser();
    const sessionId = await browser(user);
    const caller = (await resumeBrowserSession(user.id, sessionId))!;
    await rememberConsent(caller, "app-1", grantOf("openid offline_access"), client);
    await rememberConsent(caller, "app-2", grantOf("openid"), client);
    const first = await grantUnder(user, sessionId, "openid offline_access", "app-1");
    const second = await grantUnder(user, sessionId, "openid offline_access", "app-2");

    expect(await revokeApp(caller, "app-1", client)).toBe(true);
    expect(await rememberedConsent(user.id, "app-1")).toBeNull();
    expect(await alive(first)).toEqual(ENDED);
    expect(await alive(second)).toEqual(LIVE);
    expect(await rememberedConsent(user.id, "app-2")).not.toBeNull();
    expect(await db().auditEvent.count({ where: { userId: user.id, type: "oauth_consent_revoked" } })).toBe(1);
    // Nothing left to revoke.
    expect(await revokeApp(caller, "app-1", client)).toBe(false);
  });
});
