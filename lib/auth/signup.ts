import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { listRoles } from "@/lib/db/roles";
import { EmailTakenError, findUserByEmail, insertUser, type UserRecord } from "@/lib/db/users";
import { AppError, FieldErrors } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { hashPassword } from "@/lib/password/hash";
import { passwordProblems } from "@/lib/password/policy";
import { countMailSent, limitClient } from "@/lib/rate-limit";
import { startEmailVerification } from "./email-verification";
import type { RequestMeta } from "./types";

export interface NewAccount {
  email: string;
  password: string;
  name?: string;
  dob?: string;
  mobile?: string;
  roleId?: number;
}

export interface CreatedAccount {
  user: UserRecord;
  /** The verification code that was e-mailed (returned to legacy clients only with AUTH_EXPOSE_OTP). */
  code: string;
}

/**
 * Creates an unverified password account and queues its verification e-mail (code and link) in
 * the same transaction. `emailTakenField` is where the contract reports a taken address: the
 * Django signup under `email`, VASITUM's register under `errors`.
 */
export async function createAccount(
  input: NewAccount,
  meta: RequestMeta,
  options: { emailTakenField: "email" | "errors" },
): Promise<CreatedAccount> {
  await limitClient("signup", meta.ip);
  const roleId = await resolveRole(input.roleId);
  const problems = passwordProblems(input.password);
  if (problems.length) throw new FieldErrors({ password: problems });

  const taken = () => new AppError("EMAIL_TAKEN", { field: options.emailTakenField, params: { email: input.email } });
  // Cheap check first so a taken address costs no hashing; the unique index settles races.
  if (await findUserByEmail(input.email)) throw taken();
  const passwordHash = await hashPassword(input.password);

  try {
    const created = await db().$transaction(async (tx) => {
      const user = await insertUser(tx, {
        email: input.email,
        name: input.name,
        dob: input.dob ?? null,
        mobile: input.mobile,
        passwordHash,
        roleId,
      });
      const code = await startEmailVerification(tx, user);
      await recordAudit({ type: "signup", userId: user.id, ip: meta.ip, userAgent: meta.userAgent }, tx);
      return { user, code };
    });
    nudgeMailSender();
    await countMailSent("verification", created.user.email);
    return created;
  } catch (error) {
    if (error instanceof EmailTakenError) throw taken();
    throw error;
  }
}

/** The role for a new account: the default, or one a user may choose for themselves. */
async function resolveRole(requested: number | undefined): Promise<number> {
  const roles = await listRoles();
  if (requested === undefined) {
    const fallback = roles.find((r) => r.isDefault);
    if (!fallback) throw new Error("no default role is seeded");
    return fallback.id;
  }
  const role = roles.find((r) => r.id === requested);
  if (!role?.selfAssignable) {
    throw new AppError("ROLE_NOT_ALLOWED", { field: "roleid", params: { value: requested } });
  }
  return role.id;
}

/** Roles a person may pick at signup (the signup page shows a choice when there are several). */
export async function selfAssignableRoles() {
  return (await listRoles()).filter((r) => r.selfAssignable).map(({ id, name, isDefault }) => ({ id, name, isDefault }));
}
