import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import type { User } from "@/lib/db/users";
import { AppError } from "@/lib/errors";

/**
 * How a session was proven, and when: the methods of its sign-in (or of a later reauthentication)
 * and the time of that proof. Sensitive changes need a proof younger than REAUTH_MAX_AGE_SECONDS
 * that met every factor the account has (Kratos's privileged session, GitHub's sudo mode). A
 * refresh renews tokens, never the proof.
 */

/** What proved the first factor of a sign-in. */
export type SignInMethod = "password" | "code" | "link" | "google" | "signup" | "passkey";

/** What proved the second, when there was one: an authenticator code, a recovery code, or a passkey's user verification. */
export type SecondFactor = "totp" | "recovery-code" | "user-verification";

export type ProofMethod = SignInMethod | SecondFactor;

export interface SignInProof {
  method: SignInMethod;
  secondFactor?: SecondFactor;
}

/** A session's last proof. */
export interface SessionProof {
  methods: ProofMethod[];
  provedAt: Date;
}

const SECOND_FACTORS: ReadonlySet<ProofMethod> = new Set<ProofMethod>(["totp", "recovery-code", "user-verification"]);
const METHODS: ReadonlySet<string> = new Set<ProofMethod>(["password", "code", "link", "google", "signup", "passkey", ...SECOND_FACTORS]);

export const proofOf = (p: SignInMethod | SignInProof): SignInProof => (typeof p === "string" ? { method: p } : p);

export const methodsOfSignIn = ({ method, secondFactor }: SignInProof): ProofMethod[] => (secondFactor ? [method, secondFactor] : [method]);

/** As the session row stores them. */
export const storedMethods = (methods: readonly ProofMethod[]): string => methods.join(",");

/** From the session row ('' for sessions begun before methods were recorded: nothing is known). */
export const parseMethods = (stored: string): ProofMethod[] => stored.split(",").filter((m): m is ProofMethod => METHODS.has(m));

export const metSecondFactor = (methods: readonly ProofMethod[]): boolean => methods.some((m) => SECOND_FACTORS.has(m));

/**
 * The proof's methods as RFC 8176 `amr` values: `pwd` a password, `otp` a one-time code (e-mailed,
 * authenticator or recovery), `hwk` a passkey (a key held by a device), `mfa` two factors met.
 * `fed` (a federated identity provider: Google) is no registered value but the common spelling.
 */
const AMR: Record<ProofMethod, string | null> = {
  password: "pwd",
  signup: "pwd",
  code: "otp",
  link: "otp",
  google: "fed",
  passkey: "hwk",
  totp: "otp",
  "recovery-code": "otp",
  "user-verification": null,
};

export function amrOf(methods: readonly ProofMethod[]): string[] {
  const values = new Set(methods.map((m) => AMR[m]).filter((v): v is string => v !== null));
  if (metSecondFactor(methods)) values.add("mfa");
  return [...values];
}

/**
 * Whether `proof` allows a sensitive change to `user`'s account now: younger than
 * REAUTH_MAX_AGE_SECONDS, and with a second factor when the account has one on.
 */
export function isFreshProof(proof: SessionProof, user: Pick<User, "totpEnabledAt">): boolean {
  return freshForMs(proof, user) > 0;
}

/** How many more seconds `proof` stays fresh for `user` (0: it is not), so a page can ask before a form, not after. */
export function proofFreshForSeconds(proof: SessionProof, user: Pick<User, "totpEnabledAt">): number {
  return Math.floor(freshForMs(proof, user) / 1000);
}

function freshForMs(proof: SessionProof, user: Pick<User, "totpEnabledAt">): number {
  if (user.totpEnabledAt && !metSecondFactor(proof.methods)) return 0;
  return Math.max(0, config().reauthMaxAgeSeconds * 1000 - (now().getTime() - proof.provedAt.getTime()));
}

/** For the sensitive actions: REAUTHENTICATION_REQUIRED (403) without a fresh proof. */
export function requireFreshProof(caller: { user: User; proof: SessionProof }): void {
  if (!isFreshProof(caller.proof, caller.user)) throw new AppError("REAUTHENTICATION_REQUIRED");
}

/** The account centre's additions need a proven address first (VERIFY_EMAIL_FIRST, 403). */
export function requireVerifiedAddress(user: User): void {
  if (!user.verifiedAt) throw new AppError("VERIFY_EMAIL_FIRST");
}
