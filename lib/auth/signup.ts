import { database, transaction, writeWithNext, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { defaultRole, listRoles } from "@/lib/db/roles";
import { EmailTakenError, findUserByEmail, insertUser, type User } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { hashPassword } from "@/lib/password/hash";
import { startEmailVerification } from "./email-verification";
import { countMailSent, limitClient, withClientLimit } from "./limits";
import { assertAcceptablePassword } from "./password-policy";
import { startAppSession } from "./sessions";
import type { ClientInfo, Tokens } from "./types";

export interface NewAccount {
  email: string;
  password: string;
  name?: string;
  dob?: string;
  mobile?: string;
  roleId?: number;
}

export interface CreatedAccount {
  user: User;
  /** The verification code that was e-mailed (shown to legacy clients only with AUTH_EXPOSE_OTP). */
  code: string;
}

/** A new account with its first app session (the legacy register answers with tokens). */
export interface SignedInAccount extends CreatedAccount {
  session: { sessionId: string; tokens: Tokens };
}

/**
 * Creates an unverified password account and queues its verification e-mail (code and link) in
 * the same transaction. A taken address is EMAIL_TAKEN on `email`.
 */
export function createAccount(input: NewAccount, client: ClientInfo): Promise<CreatedAccount> {
  return insertAccount(input, client, false);
}

/** createAccount, and the account's first app session in the same commit. */
export function createSignedInAccount(input: NewAccount, client: ClientInfo): Promise<SignedInAccount> {
  return insertAccount(input, client, true);
}

async function insertAccount(input: NewAccount, client: ClientInfo, withSession: true): Promise<SignedInAccount>;
async function insertAccount(input: NewAccount, client: ClientInfo, withSession: boolean): Promise<CreatedAccount>;
async function insertAccount(input: NewAccount, client: ClientInfo, withSession: boolean): Promise<CreatedAccount> {
  return withClientLimit("signup", client.ip, () => insertCountedAccount(input, client, withSession));
}

async function insertCountedAccount(input: NewAccount, client: ClientInfo, withSession: boolean): Promise<CreatedAccount> {
  const roleId = await resolveRole(database, input.roleId);
  assertAcceptablePassword(input.password, "password");

  const taken = () => new AppError("EMAIL_TAKEN", { field: "email", params: { email: input.email } });
  // Cheap check first so a taken address costs no hashing; the unique index settles races.
  if (await findUserByEmail(database, input.email)) throw taken();
  const passwordHash = await hashPassword(input.password);

  try {
    const created = await transaction(async (tx) => {
      // The address's count goes with the account's row: a refusal rolls both back.
      const counted = writeWithNext(tx, (early) => limitClient(early, "signup", client.ip));
      const user = await insertUser(tx, {
        email: input.email,
        name: input.name,
        dob: input.dob ?? null,
        mobile: input.mobile,
        passwordHash,
        roleId,
        signsIn: withSession,
      });
      await counted;
      const code = await startEmailVerification(tx, user, client);
      await recordAudit(tx, { type: "signup", userId: user.id, ip: client.ip, userAgent: client.userAgent });
      await countMailSent(tx, "verification", user.email);
      const session = withSession ? await startAppSession(tx, user, client, "signup") : undefined;
      return { user, code, ...(session ? { session } : {}) };
    });
    nudgeMailSender();
    return created;
  } catch (error) {
    if (error instanceof EmailTakenError) throw taken();
    throw error;
  }
}

/** The role for a new account: the default, or one a user may choose for themselves. */
async function resolveRole(tx: Tx, requested: number | undefined): Promise<number> {
  if (requested === undefined) return (await defaultRole(tx)).id;
  const role = (await listRoles(tx)).find((r) => r.id === requested);
  if (!role?.selfAssignable) throw new AppError("INVALID_CHOICE", { field: "roleId", params: { value: requested } });
  return role.id;
}

/** Roles a person may pick at signup (the signup page shows a choice when there are several). */
export async function selfAssignableRoles() {
  return (await listRoles(database)).filter((r) => r.selfAssignable).map(({ id, name, isDefault }) => ({ id, name, isDefault }));
}
