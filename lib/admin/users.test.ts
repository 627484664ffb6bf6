import { describe, expect, it } from "vitest";
import {
  DAY,
  MINUTE,
  advance,
  appError,
  appSession,
  client,
  failure,
  lastMailTo,
  mailsTo,
  registeredPasskey,
  setUpAuthTests,
  twoFactorUser,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
} from "@/lib/auth/testing";

/** The console's account services, in-process: who may, what each action changes, audits and tells. */

process.env.ADMIN_REQUIRE_TWO_FACTOR = "false";
setUpAuthTests();

const { database } = await import("@/lib/db");
const { grantRole } = await import("@/lib/auth/admin");
const { authenticate } = await import("@/lib/auth/sessions");
const { findUserById, updateProfile } = await import("@/lib/db/users");
const { listPasskeys } = await import("@/lib/db/passkeys");
const { listAuditEvents } = await import("@/lib/db/audit");
const admin = await import("./users");

/** A signed-in admin (a session proven just now). */
async function signedInAdmin() {
  const { email } = await verifiedUser("admin");
  const user = await grantRole(email, "admin");
  return (await appSession(user)).caller;
}

async function signedInUser(label = "user") {
  const { user } = await verifiedUser(label);
  return appSession(user);
}

/** Every account of a listing, page by page. */
async function everyPage(caller: Awaited<ReturnType<typeof signedInAdmin>>, query: Parameters<typeof admin.listUsers>[1]) {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof admin.listUsers>> = await admin.listUsers(caller, { ...query, cursor });
    ids.push(...page.users.map((u) => u.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

async function lastEventOf(userId: number) {
  const [event] = await listAuditEvents(database, { userId }, 1, null);
  return event;
}

describe("who may", () => {
  it("refuses a user who is no admin, for reads and actions alike", async () => {
    const { caller } = await signedInUser();
    expect(await failure(admin.listUsers(caller))).toMatchObject(appError("FORBIDDEN"));
    expect(await failure(admin.userDetail(caller, caller.user.id))).toMatchObject(appError("FORBIDDEN"));
    expect(await failure(admin.roleChoices(caller))).toMatchObject(appError("FORBIDDEN"));
    expect(await failure(admin.disableUser(caller, caller.user.id, client))).toMatchObject(appError("FORBIDDEN"));
  });

  it("asks an admin whose proof is older than REAUTH_MAX_AGE_SECONDS to confirm it's them before acting, not before reading", async () => {
    const caller = await signedInAdmin();
    const { caller: target } = await signedInUser();
    // The session's proof is its sign-in, 11 minutes ago (REAUTH_MAX_AGE_SECONDS: 600).
    advance(11 * MINUTE);
    expect(await failure(admin.disableUser(caller, target.user.id, client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
    expect((await admin.userDetail(caller, target.user.id)).user.disabled).toBe(false);
  });

  it("answers NOT_FOUND for an unknown id", async () => {
    const caller = await signedInAdmin();
    expect(await failure(admin.userDetail(caller, 999_999))).toMatchObject(appError("NOT_FOUND"));
    expect(await failure(admin.signOutUser(caller, 999_999, client))).toMatchObject(appError("NOT_FOUND"));
  });
});

describe("finding accounts", () => {
  it("matches a substring of the e-mail or the name whatever its case, and no other account", async () => {
    const caller = await signedInAdmin();
    const tag = `Zq${Date.now() % 1e6}`;
    const { createAccount } = await import("@/lib/auth/signup");
    const byEmail = (await createAccount({ email: `${tag.toLowerCase()}-mail@example.com`, password: "a long enough password", name: "Someone" }, client)).user;
    const byName = (await createAccount({ email: uniqueEmail("other"), password: "a long enough password", name: `Ms ${tag} Smith` }, client)).user;
    const found = await admin.listUsers(caller, { search: tag.toUpperCase() });
    expect(found.users.map((u) => u.id).sort()).toEqual([byEmail.id, byName.id].sort());
    // `%` and `_` are characters of an address, never wildcards.
    expect((await admin.listUsers(caller, { search: `${tag}%` })).users).toEqual([]);
    expect((await admin.listUsers(caller, { search: "a_b" })).users).toEqual([]);
    expect(await failure(admin.listUsers(caller, { search: " zq " }))).toMatchObject(appError("VALIDATION", "search"));
  });

  it("pages through every account newest first, each once", async () => {
    const caller = await signedInAdmin();
    for (let i = 0; i < 5; i++) await unverifiedUser("paged");
    const all = await everyPage(caller, { search: "paged-" });
    expect(all.ids.length).toBeGreaterThanOrEqual(5);
    const paged = await everyPage(caller, { search: "paged-", limit: 2 });
    expect(paged.ids).toEqual(all.ids);
    expect(paged.pages).toBe(Math.ceil(all.ids.length / 2));
    expect([...all.ids].sort((a, b) => b - a)).toEqual(all.ids);
    expect(await failure(admin.listUsers(caller, { cursor: "not-a-cursor" }))).toMatchObject(appError("VALIDATION", "cursor"));
  });

  it("pages through the same accounts in every order, each once, the cursor keeping the order", async () => {
    const caller = await signedInAdmin();
    const tag = `srt${Date.now() % 1e6}`;
    const { createAccount } = await import("@/lib/auth/signup");
    const made = [];
    for (const letter of ["d", "b", "f", "a", "e", "c", "g"]) {
      made.push((await createAccount({ email: `${tag}-${letter}@example.com`, password: "a long enough password", name: letter }, client)).user);
    }
    // Four sign in, at three moments (two at the same one: the id settles the tie); three never do.
    for (const [i, user] of [made[0]!, made[2]!, made[4]!].entries()) {
      advance(MINUTE);
      await appSession(user);
      if (i === 1) await appSession(made[5]!);
    }
    const signedIn = new Set([made[0]!.id, made[2]!.id, made[4]!.id, made[5]!.id]);
    const byId = (a: number, b: number) => a - b;
    const rows = await everyPage(caller, { search: tag, limit: 100 });
    const summaries = new Map((await admin.listUsers(caller, { search: tag, limit: 100 })).users.map((u) => [u.id, u]));
    expect(rows.ids.sort(byId)).toEqual(made.map((u) => u.id).sort(byId));
    expect([...summaries.values()].filter((u) => u.lastLoginAt).map((u) => u.id).sort(byId)).toEqual([...signedIn].sort(byId));
    const login = (id: number) => summaries.get(id)!.lastLoginAt!.getTime();
    const email = (id: number) => summaries.get(id)!.email;
    const expected: Record<string, number[]> = {
      "-created": made.map((u) => u.id).sort((a, b) => b - a),
      created: made.map((u) => u.id).sort(byId),
      email: made.map((u) => u.id).sort((a, b) => (email(a) < email(b) ? -1 : 1)),
      "-email": made.map((u) => u.id).sort((a, b) => (email(a) < email(b) ? 1 : -1)),
      // Those who never signed in come last either way, by id in the same direction.
      "-last_login": [...[...signedIn].sort((a, b) => login(b) - login(a) || b - a), ...made.map((u) => u.id).filter((id) => !signedIn.has(id)).sort((a, b) => b - a)],
      last_login: [...[...signedIn].sort((a, b) => login(a) - login(b) || a - b), ...made.map((u) => u.id).filter((id) => !signedIn.has(id)).sort(byId)],
    };
    expect(login(made[2]!.id)).toBe(login(made[5]!.id));
    for (const sort of admin.USER_SORTS) {
      for (const limit of [1, 2, 3]) {
        const paged = await everyPage(caller, { search: tag, sort, limit });
        expect(paged.ids, `${sort}, ${limit} a page`).toEqual(expected[sort]);
        expect(paged.pages).toBe(Math.ceil(made.length / limit));
      }
    }
    // A cursor is its order's: another order's, or one of no order, is refused.
    const first = await admin.listUsers(caller, { search: tag, sort: "email", limit: 2 });
    expect(await failure(admin.listUsers(caller, { search: tag, sort: "-last_login", cursor: first.nextCursor }))).toMatchObject(appError("VALIDATION", "cursor"));
    expect(await failure(admin.listUsers(caller, { sort: "name" as never }))).toMatchObject(appError("VALIDATION", "sort"));
  });

  it("filters by status, role and two-factor, and shows what a row shows", async () => {
    const caller = await signedInAdmin();
    const unverified = (await unverifiedUser("filters")).user;
    const disabled = (await verifiedUser("filters")).user;
    await admin.disableUser(caller, disabled.id, client);
    const twoFactor = await twoFactorUser("filters");
    const ids = async (query: Parameters<typeof admin.listUsers>[1]) => (await everyPage(caller, { search: "filters-", ...query })).ids;
    expect(await ids({ status: "unverified" })).toEqual([unverified.id]);
    expect(await ids({ status: "disabled" })).toEqual([disabled.id]);
    expect(await ids({ status: "verified" })).toEqual([twoFactor.user.id]);
    expect(await ids({ twoFactor: true })).toEqual([twoFactor.user.id]);
    expect(await ids({ twoFactor: false })).toEqual([disabled.id, unverified.id]);
    expect(await ids({ role: "admin" })).toEqual([]);
    expect(await ids({ role: "user" })).toHaveLength(3);
    expect(await failure(admin.listUsers(caller, { role: "wizard" }))).toMatchObject(appError("VALIDATION", "role"));
    const [row] = (await admin.listUsers(caller, { search: twoFactor.email })).users;
    expect(row).toMatchObject({ id: twoFactor.user.id, email: twoFactor.email, role: "user", verified: true, disabled: false, twoFactor: true, passkeys: 0, google: false });
    // Its session's sign-in.
    expect(row!.lastLoginAt).toBeInstanceOf(Date);
  });
});

describe("one account", () => {
  it("shows its live sessions and its last events, newest first", async () => {
    const caller = await signedInAdmin();
    const { caller: target } = await signedInUser("detail");
    const detail = await admin.userDetail(caller, target.user.id);
    expect(detail.user).toMatchObject({ id: target.user.id, email: target.user.email, verified: true, password: true });
    expect(detail.sessions.map((s) => s.id)).toEqual([target.sessionId]);
    expect(detail.audit.map((e) => e.type)).toContain("signup");
    expect(detail.audit.map((e) => e.at.getTime())).toEqual(detail.audit.map((e) => e.at.getTime()).sort((a, b) => b - a));
  });
});

describe("the roles", () => {
  it("are offered by name and id, for the role filter and Change role", async () => {
    const names = (await admin.roleChoices(await signedInAdmin())).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["admin", "user"]));
  });
});

describe("actions", () => {
  it("disables an account (its tokens stop, the admin is the audit row's actor) and enables it again", async () => {
    const caller = await signedInAdmin();
    const target = await signedInUser("disabled");
    await admin.disableUser(caller, target.caller.user.id, client);
    expect(await failure(authenticate(target.tokens.accessToken))).toMatchObject(appError("ACCESS_TOKEN_INVALID"));
    expect((await findUserById(database, target.caller.user.id))!.disabledAt).not.toBeNull();
    expect(await lastEventOf(target.caller.user.id)).toMatchObject({ type: "account_disabled", actorId: caller.user.id });
    expect((await lastMailTo(target.caller.user.email, "notice")).subject).toMatch(/account was disabled/);
    await admin.enableUser(caller, target.caller.user.id, client);
    expect((await findUserById(database, target.caller.user.id))!.disabledAt).toBeNull();
    expect(await lastEventOf(target.caller.user.id)).toMatchObject({ type: "account_enabled", actorId: caller.user.id });
    expect((await lastMailTo(target.caller.user.email, "notice")).subject).toMatch(/account was enabled again/);
  });

  it("tells the owner in their language that an administrator changed the account", async () => {
    const caller = await signedInAdmin();
    const { user } = await verifiedUser("german");
    await updateProfile(database, user.id, { locale: "de" });
    await admin.disableUser(caller, user.id, client);
    const mail = await lastMailTo(user.email, "notice");
    expect(mail.subject).toMatch(/gesperrt/);
    expect(mail.text).toMatch(/Support/);
    // The operator's device and address are not the owner's business: the notice names an administrator.
    expect(mail.text).toMatch(/Von: ein Administrator von /);
    expect(mail.text).not.toContain(client.ip!);
  });

  it("signs an account out everywhere", async () => {
    const caller = await signedInAdmin();
    const target = await signedInUser("signout");
    await admin.signOutUser(caller, target.caller.user.id, client);
    expect(await failure(authenticate(target.tokens.accessToken))).toMatchObject(appError("ACCESS_TOKEN_INVALID"));
    expect(await lastEventOf(target.caller.user.id)).toMatchObject({ type: "signout_everywhere", actorId: caller.user.id });
    expect((await lastMailTo(target.caller.user.email, "notice")).subject).toMatch(/signed out of every device/);
  });

  it("ends one session of an account, telling its owner, and no session of another account", async () => {
    const caller = await signedInAdmin();
    const target = await signedInUser("one-session");
    const other = await appSession(target.caller.user);
    const stranger = await signedInUser("stranger");
    expect(await failure(admin.revokeUserSession(caller, target.caller.user.id, stranger.caller.sessionId, client))).toMatchObject(appError("NOT_FOUND"));
    expect(await failure(admin.revokeUserSession(caller, target.caller.user.id, "no-such-session", client))).toMatchObject(appError("NOT_FOUND"));
    expect(await authenticate(stranger.tokens.accessToken)).toBeTruthy();
    await admin.revokeUserSession(caller, target.caller.user.id, target.caller.sessionId, client);
    expect(await failure(authenticate(target.tokens.accessToken))).toMatchObject(appError("ACCESS_TOKEN_INVALID"));
    expect(await authenticate(other.tokens.accessToken)).toBeTruthy();
    expect(await lastEventOf(target.caller.user.id)).toMatchObject({
      type: "session_revoked",
      actorId: caller.user.id,
      detail: JSON.stringify({ session_id: target.caller.sessionId }),
    });
    expect((await lastMailTo(target.caller.user.email, "notice")).subject).toMatch(/A device was signed out/);
    // Already ended: nothing to end, nothing audited.
    expect(await failure(admin.revokeUserSession(caller, target.caller.user.id, target.caller.sessionId, client))).toMatchObject(appError("NOT_FOUND"));
    advance(11 * MINUTE);
    expect(await failure(admin.revokeUserSession(caller, target.caller.user.id, other.caller.sessionId, client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
  });

  it("mails a reset link or a new verification, as the user could ask for, under the address's mail limit", async () => {
    const caller = await signedInAdmin();
    const verified = (await signedInUser("mails")).caller.user;
    await admin.sendPasswordReset(caller, verified.id, client);
    expect((await lastMailTo(verified.email, "password_reset")).text).toContain("/reset-password?token=");
    expect(await failure(admin.sendPasswordReset(caller, verified.id, client))).toMatchObject(appError("RATE_LIMITED"));
    expect(await failure(admin.resendVerification(caller, verified.id, client))).toMatchObject(appError("ALREADY_VERIFIED"));
    const unverified = await unverifiedUser("mails");
    advance(2 * MINUTE);
    const before = (await mailsTo(unverified.email, "verification")).length;
    await admin.resendVerification(caller, unverified.user.id, client);
    expect(await mailsTo(unverified.email, "verification")).toHaveLength(before + 1);
    await admin.disableUser(caller, unverified.user.id, client);
    expect(await failure(admin.sendPasswordReset(caller, unverified.user.id, client))).toMatchObject(appError("USER_DISABLED"));
  });

  it("resets two-factor: authenticator, recovery codes and passkeys go, every session ends, the owner is told", async () => {
    const caller = await signedInAdmin();
    const target = await twoFactorUser("lost-phone");
    await registeredPasskey(target.caller);
    await admin.resetTwoFactor(caller, target.user.id, client);
    const after = (await findUserById(database, target.user.id))!;
    expect(after.totpEnabledAt).toBeNull();
    expect(await listPasskeys(database, target.user.id)).toEqual([]);
    expect(await failure(authenticate(target.tokens.accessToken))).toMatchObject(appError("ACCESS_TOKEN_INVALID"));
    expect((await lastMailTo(target.email, "notice")).subject).toMatch(/Two-factor authentication is off/);
    expect(await lastEventOf(target.user.id)).toMatchObject({ type: "two_factor_reset", actorId: caller.user.id });
  });

  it("changes a role, refusing an unknown one", async () => {
    const caller = await signedInAdmin();
    const target = (await signedInUser("role")).caller.user;
    expect(await failure(admin.changeRole(caller, target.id, 99, client))).toMatchObject(appError("VALIDATION", "roleId"));
    await admin.changeRole(caller, target.id, 3, client);
    expect((await findUserById(database, target.id))!.roleName).toBe("employer");
    expect(await lastEventOf(target.id)).toMatchObject({ type: "role_changed", actorId: caller.user.id, detail: JSON.stringify({ from: "user", to: "employer" }) });
    expect((await lastMailTo(target.email, "notice")).text).toContain("is now “employer”");
  });

  it("deletes an account as its owner would, with a last notice", async () => {
    const caller = await signedInAdmin();
    const target = (await signedInUser("deleted")).caller.user;
    await admin.deleteUser(caller, target.id, client);
    expect(await findUserById(database, target.id)).toBeNull();
    expect((await lastMailTo(target.email, "notice")).subject).toMatch(/account was deleted/);
    const [event] = await listAuditEvents(database, { type: "account_deleted" }, 1, null);
    expect(event).toMatchObject({ userId: null, actorId: caller.user.id });
  });

  it("never leaves the console without an enabled admin", async () => {
    const last = await signedInAdmin();
    // Every other admin of this file's database steps down first.
    for (const other of (await admin.listUsers(last, { role: "admin", limit: 100 })).users) {
      if (other.id !== last.user.id && !other.disabled) await admin.disableUser(last, other.id, client);
    }
    expect(await failure(admin.changeRole(last, last.user.id, 2, client))).toMatchObject(appError("LAST_ADMIN"));
    expect(await failure(admin.disableUser(last, last.user.id, client))).toMatchObject(appError("LAST_ADMIN"));
    expect(await failure(admin.deleteUser(last, last.user.id, client))).toMatchObject(appError("LAST_ADMIN"));
    const next = (await signedInUser("next-admin")).caller.user;
    await admin.changeRole(last, next.id, 1, client);
    await admin.changeRole(last, last.user.id, 2, client);
    expect((await findUserById(database, last.user.id))!.roleName).toBe("user");
    advance(DAY);
  });
});
