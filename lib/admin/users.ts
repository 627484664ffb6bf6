import { transaction, database, type Tx } from "@/lib/db";
import { listAuditEvents, recordAudit } from "@/lib/db/audit";
import { findRoleByName, listRoles } from "@/lib/db/roles";
import { revokeSession } from "@/lib/db/sessions";
import {
  countEnabledWithRole,
  directoryRowOf,
  lockAdminRole,
  markEnabled,
  searchUsers,
  setRoleOf,
  type AccountStatus,
  type DirectoryPosition,
  type DirectoryRow,
  type DirectorySortKey,
} from "@/lib/db/user-directory";
import { eraseUser, findUserById, markDisabled, type User } from "@/lib/db/users";
import { startEmailVerification } from "@/lib/auth/email-verification";
import { claimMailSlot } from "@/lib/auth/limits";
import { startPasswordReset } from "@/lib/auth/password";
import { requireFreshProof } from "@/lib/auth/proof";
import { securityEvent } from "@/lib/auth/security-events";
import { listSessions, type Session } from "@/lib/auth/sessions";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import { AppError, fieldIssue, ValidationError } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { USER_SORTS, type UserSort } from "@/lib/validation/forms";
import { requireAdmin } from "./access";
import { toAuditEvents, type AuditEvent } from "./audit";
import { decodeTextCursor, encodeTextCursor, type CursorPart } from "./cursor";

/**
 * The operator's console's accounts: find them, look at one, act on it. Every function takes the
 * admin (`Caller`) first and checks it (lib/admin/access.ts); reads need nothing more, actions a
 * fresh proof (lib/auth/proof.ts). Every action is audited with the admin as actor, in the
 * transaction of the change, and the changes that have a notice send it to the account.
 */

export type { AccountStatus } from "@/lib/db/user-directory";

/** An account as the console lists it. */
export interface UserSummary {
  id: number;
  email: string;
  name: string;
  roleId: number;
  role: string;
  verified: boolean;
  disabled: boolean;
  twoFactor: boolean;
  /** How many passkeys it has. */
  passkeys: number;
  google: boolean;
  createdAt: Date;
  /** The latest sign-in (null: never). */
  lastLoginAt: Date | null;
}

export { USER_SORTS, type UserSort } from "@/lib/validation/forms";
/** Newest first. */
export const DEFAULT_USER_SORT: UserSort = "-created";

export interface UserQuery {
  /** A case-insensitive substring of the e-mail or the name. */
  search?: string;
  status?: AccountStatus;
  /** A role's name or id. */
  role?: string;
  twoFactor?: boolean;
  /** Default DEFAULT_USER_SORT. */
  sort?: UserSort;
  /** 1 to 100 (default 50). */
  limit?: number;
  /** The `nextCursor` of the previous page (of the same order). */
  cursor?: string | null;
}

export interface UserPage {
  users: UserSummary[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** One account as its console page shows it: the summary and profile, live sessions, the last events. */
export interface UserDetail {
  /** `password`: whether the account has one (a Google-only account has none). */
  user: UserSummary & { dob: string | null; mobile: string; locale: string | null; password: boolean };
  sessions: Session[];
  /** The account's last AUDIT_DETAIL_EVENTS events, newest first. */
  audit: AuditEvent[];
}

export const USER_PAGE_DEFAULT = 50;
export const USER_PAGE_MAX = 100;
export const AUDIT_DETAIL_EVENTS = 50;
/** A shorter piece has no trigram to look up: it would read every account (ADR 016). */
export const SEARCH_MIN_LENGTH = 3;

async function summaryOf(row: DirectoryRow): Promise<UserSummary> {
  const roles = await listRoles(database);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roleId: row.roleId,
    role: roles.find((r) => r.id === row.roleId)?.name ?? String(row.roleId),
    verified: row.verifiedAt !== null,
    disabled: row.disabledAt !== null,
    twoFactor: row.totpEnabledAt !== null,
    passkeys: row.passkeys,
    google: row.google,
    createdAt: row.createdAt,
    lastLoginAt: row.lastLoginAt,
  };
}

/** The role `role` names (its name or id), or a field error of `role`. */
async function roleIdOf(role: string): Promise<number> {
  const roles = await listRoles(database);
  const found = roles.find((r) => r.name === role || String(r.id) === role.trim());
  if (!found) throw new ValidationError([fieldIssue("role", "INVALID_CHOICE", { value: role })]);
  return found.id;
}

/** The roles an account may be given, for the console's role filter and "Change role". */
export async function roleChoices(admin: Caller): Promise<{ id: number; name: string }[]> {
  requireAdmin(admin.user);
  return (await listRoles(database)).map(({ id, name }) => ({ id, name }));
}

const sortOf = (sort: UserSort) => ({ key: sort.replace(/^-/, "") as DirectorySortKey, descending: sort.startsWith("-") });

type UserCursor = [UserSort, number, CursorPart];

/**
 * Where the page after `row` starts, in `sort`'s order. The cursor names its order: one of another
 * order is refused rather than read as a place it is not. Exported for the console's bench
 * (scripts/bench/admin-console.ts), which starts pages half-way down.
 */
export function cursorAfter(sort: UserSort, row: DirectoryRow): string {
  const key = sortOf(sort).key;
  return encodeTextCursor([sort, row.id, key === "email" ? row.email : key === "last_login" ? (row.lastLoginAt?.getTime() ?? null) : null]);
}

function positionOf(sort: UserSort, cursor: string): DirectoryPosition {
  const key = sortOf(sort).key;
  const [, id, value] = decodeTextCursor(cursor, (parts): parts is UserCursor => {
    const [order, id, value] = parts;
    if (parts.length !== 3 || order !== sort || !Number.isSafeInteger(id)) return false;
    return key === "email" ? typeof value === "string" : key === "last_login" ? value === null || Number.isSafeInteger(value) : value === null;
  });
  if (key === "email") return { id, email: value as string };
  if (key === "last_login") return { id, lastLoginAt: value === null ? null : new Date(value as number) };
  return { id };
}

/** A page of accounts matching `query`, in its order (newest first by default). */
export async function listUsers(admin: Caller, query: UserQuery = {}): Promise<UserPage> {
  requireAdmin(admin.user);
  const limit = Math.min(Math.max(query.limit ?? USER_PAGE_DEFAULT, 1), USER_PAGE_MAX);
  const sort = query.sort ?? DEFAULT_USER_SORT;
  if (!USER_SORTS.includes(sort)) throw new ValidationError([fieldIssue("sort", "INVALID_CHOICE", { value: sort })]);
  const after = query.cursor ? positionOf(sort, query.cursor) : null;
  const search = query.search?.trim() || undefined;
  if (search && [...search].length < SEARCH_MIN_LENGTH) throw new ValidationError([fieldIssue("search", "SEARCH_TOO_SHORT", { min: SEARCH_MIN_LENGTH })]);
  const filter = {
    search,
    status: query.status,
    roleId: query.role === undefined ? undefined : await roleIdOf(query.role),
    twoFactor: query.twoFactor,
  };
  const rows = await searchUsers(database, filter, sortOf(sort), limit + 1, after);
  const page = rows.slice(0, limit);
  return {
    users: await Promise.all(page.map(summaryOf)),
    nextCursor: rows.length > limit && page.length ? cursorAfter(sort, page.at(-1)!) : null,
  };
}

/** Account `userId` with its live sessions and last events; NOT_FOUND for an unknown id. */
export async function userDetail(admin: Caller, userId: number): Promise<UserDetail> {
  requireAdmin(admin.user);
  const user = await existingUser(userId);
  const row = await directoryRowOf(database, userId);
  if (!row) throw new AppError("NOT_FOUND");
  const events = await listAuditEvents(database, { userId }, AUDIT_DETAIL_EVENTS, null);
  return {
    user: { ...(await summaryOf(row)), dob: user.dob, mobile: user.mobile, locale: user.locale, password: user.passwordHash !== null },
    sessions: await listSessions(userId),
    audit: await toAuditEvents(events),
  };
}

async function existingUser(userId: number): Promise<User> {
  const user = await findUserById(database, userId);
  if (!user) throw new AppError("NOT_FOUND");
  return user;
}

/** The checks every action makes: an admin, a fresh proof, an account that exists. */
async function actionOn(admin: Caller, userId: number): Promise<User> {
  requireAdmin(admin.user);
  requireFreshProof(admin);
  return existingUser(userId);
}

/**
 * LAST_ADMIN when `user` is the last enabled admin (the change would leave no one to run the
 * console). Taken in the change's transaction, holding role changes to one at a time.
 */
async function keepAnAdmin(tx: Tx, user: User): Promise<void> {
  const admin = await findRoleByName(tx, "admin");
  if (!admin || user.roleId !== admin.id || user.disabledAt) return;
  await lockAdminRole(tx, admin.id);
  if ((await countEnabledWithRole(tx, admin.id)) <= 1) throw new AppError("LAST_ADMIN");
}

const auditOf = (type: string, user: User, admin: Caller, client: ClientInfo, detail?: Record<string, string | number | boolean | null>) => ({
  type,
  userId: user.id,
  actorId: admin.user.id,
  ip: client.ip,
  userAgent: client.userAgent,
  ...(detail ? { detail } : {}),
});

/** Disables the account: no door gives it tokens, and its sessions, links and second steps end. */
export async function disableUser(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  await securityEvent("account_disabled", { user, client, actor: admin.user }, async (tx) => {
    await keepAnAdmin(tx, user);
    await markDisabled(tx, user.id);
  });
}

/** Lets a disabled account sign in again (its ended sessions stay ended). */
export async function enableUser(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  // Nothing changes, so nothing to tell the owner.
  if (!user.disabledAt) return;
  await securityEvent("account_enabled", { user, client, actor: admin.user }, (tx) => markEnabled(tx, user.id));
}

/** Ends every session of the account (browser and app, refresh tokens with them, apps' grants made in them). */
export async function signOutUser(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  await securityEvent("signed_out_everywhere", { user, client, actor: admin.user }, async () => {});
}

/**
 * Ends one session of the account (a device of its list), its refresh tokens and the apps' grants
 * made in it; NOT_FOUND when the account holds no open session by that id.
 */
export async function revokeUserSession(admin: Caller, userId: number, sessionId: string, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  await securityEvent(
    "session_revoked",
    { user, client, actor: admin.user },
    async (tx) => {
      if (!(await revokeSession(tx, user.id, sessionId, "session_revoked"))) throw new AppError("NOT_FOUND");
    },
    { audit: { session_id: sessionId } },
  );
}

/**
 * E-mails the account a password reset link, the one "forgot password" sends (to an account
 * without a password, a link that sets its first one), under the same per-address mail limits.
 */
export async function sendPasswordReset(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  if (user.disabledAt) throw new AppError("USER_DISABLED");
  await claimMailSlot(database, "password_reset", user.email);
  await transaction(async (tx) => {
    await startPasswordReset(tx, user);
    await recordAudit(tx, auditOf("password_reset_requested", user, admin, client));
  });
  nudgeMailSender();
}

/** E-mails an unverified account a new verification code and link, as a resend does. */
export async function resendVerification(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  if (user.disabledAt) throw new AppError("USER_DISABLED");
  if (user.verifiedAt) throw new AppError("ALREADY_VERIFIED");
  await claimMailSlot(database, "verification", user.email);
  await transaction(async (tx) => {
    await startEmailVerification(tx, user, null);
    await recordAudit(tx, auditOf("verification_resent", user, admin, client));
  });
  nudgeMailSender();
}

/**
 * The support path for a lost phone: the authenticator, its recovery codes and every passkey go,
 * every session ends, and the account is told that two-factor is off.
 */
export async function resetTwoFactor(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  await securityEvent("two_factor_reset", { user, client, actor: admin.user }, async () => {});
}

/** Gives the account role `roleId` (a field error of `roleId` for an unknown one); the last admin keeps theirs. */
export async function changeRole(admin: Caller, userId: number, roleId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  const roles = await listRoles(database);
  const role = roles.find((r) => r.id === roleId);
  if (!role) throw new ValidationError([fieldIssue("roleId", "INVALID_CHOICE", { value: roleId })]);
  if (role.id === user.roleId) return;
  await securityEvent(
    "role_changed",
    { user, client, actor: admin.user },
    async (tx) => {
      await keepAnAdmin(tx, user);
      await setRoleOf(tx, user.id, role.id);
    },
    { audit: { from: user.roleName, to: role.name }, notice: { role: role.name } },
  );
}

/** Deletes the account as its owner would (erased, a last notice to its address); the last admin stays. */
export async function deleteUser(admin: Caller, userId: number, client: ClientInfo): Promise<void> {
  const user = await actionOn(admin, userId);
  await securityEvent("account_deleted", { user, client, actor: admin.user }, async (tx) => {
    await keepAnAdmin(tx, user);
    // Gone already: a concurrent deletion of the same account.
    if (!(await eraseUser(tx, user))) throw new AppError("NOT_FOUND");
  });
}
