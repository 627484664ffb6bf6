import { isUniqueViolation } from "./errors";
import { prisma, type Tx } from "./sql";

/**
 * External identities linked to users (Google sign-in). An identity is keyed by its issuer and
 * subject, which the provider never reassigns; the e-mail is kept only as it was when linked.
 */

export type AccountProvider = "google";

export interface AccountRecord {
  id: number;
  userId: number;
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  createdAt: Date;
}

export interface NewAccountLink {
  userId: number;
  provider: AccountProvider;
  issuer: string;
  subject: string;
  email: string;
}

/** The (issuer, subject) pair was linked by a concurrent request between our read and our insert. */
export class AccountLinkedError extends Error {
  override name = "AccountLinkedError";
}

export async function findAccount(tx: Tx, issuer: string, subject: string): Promise<AccountRecord | null> {
  return (await prisma(tx)).account.findFirst({ where: { issuer, subject } });
}

/** The identities a user has linked from one issuer (normally none or one). */
export async function findAccountsOfUser(tx: Tx, userId: number, issuer: string): Promise<AccountRecord[]> {
  return (await prisma(tx)).account.findMany({ where: { userId, issuer }, orderBy: { id: "asc" } });
}

/**
 * Links an identity to a user. A concurrent link of the same identity surfaces as
 * `AccountLinkedError`; the caller's transaction is then unusable (PostgreSQL aborts it), so the
 * caller retries from a fresh read, where the winner's row is visible.
 */
export async function linkAccount(tx: Tx, link: NewAccountLink): Promise<AccountRecord> {
  try {
    return await (await prisma(tx)).account.create({ data: link });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AccountLinkedError(`${link.issuer} ${link.subject}`);
    throw error;
  }
}
