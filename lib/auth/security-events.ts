import { recordAudit } from "@/lib/db/audit";
import { transaction, type Tx } from "@/lib/db";
import { deleteAllPasskeys } from "@/lib/db/passkeys";
import { revokeAllSessions, revokeSessionsWhere, type RevokeReason } from "@/lib/db/sessions";
import { disableTotp } from "@/lib/db/two-factor";
import { setPasswordHash, type User } from "@/lib/db/users";
import { voidVerifications, type VerificationPurpose } from "@/lib/db/verifications";
import { nudgeMailSender } from "@/lib/mail/sender";
import type { NoticeEvent } from "@/lib/mail/templates";
import { queueNotice, reserveNotice, type NoticeDetails } from "./notices";
import { metSecondFactor, parseMethods } from "./proof";
import type { ClientInfo } from "./types";

/**
 * Every security event of an account goes through `securityEvent`: its change, what the event ends
 * (from the one table below), its audit row and its notice, in one transaction, then the mail
 * sender is nudged. docs/security.md shows the same table.
 */

export type SecurityEvent =
  | "password_reset"
  | "password_changed"
  | "address_proven_by_google"
  | "address_proven_by_reset"
  | "google_linked"
  | "two_factor_enabled"
  | "two_factor_disabled"
  | "two_factor_reset"
  | "recovery_codes_replaced"
  | "passkey_added"
  | "passkey_removed"
  | "email_change_requested"
  | "email_changed"
  | "account_disabled"
  | "account_enabled"
  | "role_changed"
  | "signed_out_everywhere"
  | "session_revoked"
  | "account_deleted";

/** Every open code and link, and second steps in progress. */
const EVERY_LINK: VerificationPurpose[] = ["verify_email", "reset_password", "change_email", "mfa_login", "reauthenticate"];

interface Consequences {
  /** Which sessions end: all; all but the acting one; or those (but the acting one) that one factor opened. */
  sessions?: { which: "all" | "others" | "others-single-factor"; reason: RevokeReason };
  /** Open codes and links of these kinds die (`mfa_login`: second steps in progress). */
  voids?: VerificationPurpose[];
  /** Credentials set up before the address was proven go: passkeys, the authenticator and its recovery codes, and (`withPassword`) the password. */
  credentials?: { withPassword: boolean };
  audit: string;
  /** The notice to the account's address (its address before the event), if any. */
  notice: NoticeEvent | ((user: User) => NoticeEvent) | null;
  /** The change erases the account: everything hangs on its row, and the audit row keeps no link to it. */
  erasesAccount?: true;
}

export const CONSEQUENCES: Readonly<Record<SecurityEvent, Consequences>> = {
  // The mailbox proved the owner: whoever held a session, a link or a second step begun with the old password is out.
  password_reset: { sessions: { which: "all", reason: "password_reset" }, voids: EVERY_LINK, audit: "password_reset", notice: "password_reset" },
  password_changed: {
    sessions: { which: "others", reason: "password_change" },
    voids: ["reset_password", "change_email", "mfa_login", "reauthenticate"],
    audit: "password_changed",
    notice: "password_changed",
  },
  // An unverified account: anyone could have made it, so nothing added before the proof survives it.
  address_proven_by_google: {
    sessions: { which: "all", reason: "address_proven" },
    voids: EVERY_LINK,
    credentials: { withPassword: true },
    audit: "google_linked",
    notice: (user) => (user.passwordHash ? "password_removed_by_link" : "google_linked"),
  },
  // As above; the password is the one the reset sets now.
  address_proven_by_reset: {
    sessions: { which: "all", reason: "address_proven" },
    voids: EVERY_LINK,
    credentials: { withPassword: false },
    audit: "password_reset",
    notice: "password_reset",
  },
  google_linked: { audit: "google_linked", notice: "google_linked" },
  two_factor_enabled: { sessions: { which: "others-single-factor", reason: "two_factor_enabled" }, audit: "totp_enabled", notice: "two_factor_enabled" },
  two_factor_disabled: { voids: ["mfa_login"], audit: "totp_disabled", notice: "two_factor_disabled" },
  // The support path for a lost phone (an admin's): the second factors go, and with them whoever signed in with them.
  two_factor_reset: {
    sessions: { which: "all", reason: "two_factor_reset" },
    voids: ["mfa_login", "reauthenticate"],
    credentials: { withPassword: false },
    audit: "two_factor_reset",
    notice: "two_factor_disabled",
  },
  recovery_codes_replaced: { audit: "recovery_codes_replaced", notice: "recovery_codes_replaced" },
  passkey_added: { audit: "passkey_added", notice: "passkey_added" },
  passkey_removed: { audit: "passkey_removed", notice: null },
  email_change_requested: { audit: "email_change_requested", notice: "email_change_requested" },
  // Links sent to the old address die with it.
  email_changed: {
    sessions: { which: "others", reason: "email_changed" },
    voids: ["verify_email", "reset_password", "change_email", "reauthenticate"],
    audit: "email_changed",
    notice: "email_changed",
  },
  account_disabled: { sessions: { which: "all", reason: "account_disabled" }, voids: EVERY_LINK, audit: "account_disabled", notice: "account_disabled" },
  // Its ended sessions stay ended.
  account_enabled: { audit: "account_enabled", notice: "account_enabled" },
  role_changed: { audit: "role_changed", notice: "role_changed" },
  // An admin's "sign out everywhere" (the owner's own, lib/auth/sessions.ts, tells no one: they did it).
  signed_out_everywhere: { sessions: { which: "all", reason: "signout_everywhere" }, audit: "signout_everywhere", notice: "signed_out_everywhere" },
  // One session, which the change ends.
  session_revoked: { audit: "session_revoked", notice: "session_ended" },
  // The change erases the account: everything that hangs on it goes with the row.
  account_deleted: { audit: "account_deleted", notice: "account_deleted", erasesAccount: true },
};

export interface EventSubject {
  /** The account as it was before the event. */
  user: User;
  client: ClientInfo;
  /** The session that acts, which "others" spares (null: none does). */
  sessionId?: string | null;
  /** The admin who acts on the account (the operator's console), recorded as the audit row's actor. */
  actor?: { id: number } | null;
}

export interface EventDetails {
  /** For the notice: the Google address, the passkey's name, the new e-mail address, the new role. */
  notice?: NoticeDetails;
  /** For the audit row (never a secret). */
  audit?: Record<string, string | number | boolean | null>;
}

/** What `event` ends, applied in `tx` for `userId` (sparing `actingSessionId` where the table says "others"). */
async function applyConsequences(tx: Tx, rule: Consequences, userId: number, actingSessionId: string | null): Promise<void> {
  if (rule.credentials) {
    await deleteAllPasskeys(tx, userId);
    await disableTotp(tx, userId);
    if (rule.credentials.withPassword) await setPasswordHash(tx, userId, null);
  }
  if (rule.voids) await voidVerifications(tx, userId, rule.voids);
  const ending = rule.sessions;
  if (ending?.which === "all") await revokeAllSessions(tx, userId, ending.reason);
  if (ending?.which === "others") await revokeAllSessions(tx, userId, ending.reason, actingSessionId);
  if (ending?.which === "others-single-factor") {
    await revokeSessionsWhere(tx, userId, ending.reason, (methods) => !metSecondFactor(parseMethods(methods)), actingSessionId);
  }
}

/**
 * Records a security event of `subject.user`: `change` (the event itself: a new password, a linked
 * identity…), then what the event ends, its audit row and its notice, all in one transaction, so
 * the change never lands without its consequences; the notice's mail slot is counted there too,
 * before the change.
 */
export async function securityEvent<T>(
  event: SecurityEvent,
  subject: EventSubject,
  change: (tx: Tx) => Promise<T>,
  details: EventDetails = {},
): Promise<T> {
  const rule = CONSEQUENCES[event];
  const { user, client } = subject;
  const noticeKind = typeof rule.notice === "function" ? rule.notice(user) : rule.notice;
  const erased = rule.erasesAccount === true;
  const result = await transaction(async (tx) => {
    const slot = noticeKind ? await reserveNotice(tx, user.email) : null;
    const value = await change(tx);
    if (!erased) await applyConsequences(tx, rule, user.id, subject.sessionId ?? null);
    await recordAudit(
      tx,
      // A deleted account's event keeps no address, browser or user link: only that it happened.
      erased
        ? { type: rule.audit, actorId: subject.actor?.id ?? null, detail: { user_id: user.id, ...details.audit } }
        : {
            type: rule.audit,
            userId: user.id,
            actorId: subject.actor?.id ?? null,
            ip: client.ip,
            userAgent: client.userAgent,
            ...(details.audit ? { detail: details.audit } : {}),
          },
    );
    // An operator's network is none of the account's business: the notice names the administrator instead.
    if (noticeKind) await queueNotice(tx, slot, user, noticeKind, client, subject.actor ? { ...details.notice, byAdministrator: true } : details.notice);
    return value;
  });
  if (noticeKind) nudgeMailSender();
  return result;
}
