import { amrOf, metSecondFactor, type SessionProof } from "@/lib/auth/proof";
import type { Caller } from "@/lib/auth/types";

/**
 * What the OpenID provider says about a sign-in (ADR 015): the browser session's last proof
 * (lib/auth/proof.ts) as `auth_time`, `amr` and `acr`. Pure, so the rules are tested beside it.
 */

/**
 * `acr` values: the REFEDS authentication profiles' identifiers, which relying parties already
 * know. `mfa` when the proof met two factors (a password or Google with an authenticator or
 * recovery code; a passkey that verified its user), `sfa` for one.
 */
export const ACR = {
  singleFactor: "https://refeds.org/profile/sfa",
  multiFactor: "https://refeds.org/profile/mfa",
} as const;

export const ACR_VALUES = [ACR.singleFactor, ACR.multiFactor];

export const acrOf = (proof: SessionProof): string => (metSecondFactor(proof.methods) ? ACR.multiFactor : ACR.singleFactor);

/** Seconds since the epoch, as `auth_time` and oidc-provider's own times count. */
export const epochSeconds = (at: Date | number): number => Math.floor((typeof at === "number" ? at : at.getTime()) / 1000);

/** The provider's login for a browser session: oidc-provider's `{ accountId, ts, amr, acr }`. */
export interface ProviderLogin {
  accountId: string;
  ts: number;
  amr: string[];
  acr: string;
}

export function providerLoginOf(caller: Pick<Caller, "user" | "proof">): ProviderLogin {
  return { accountId: String(caller.user.id), ts: epochSeconds(caller.proof.provedAt), amr: amrOf(caller.proof.methods), acr: acrOf(caller.proof) };
}

/** Whether the provider's session already says what `login` says (then nothing is written). */
export function sameLogin(session: { accountId?: string; loginTs?: number; amr?: string[]; acr?: string }, login: ProviderLogin): boolean {
  return (
    session.accountId === login.accountId &&
    session.loginTs === login.ts &&
    session.acr === login.acr &&
    JSON.stringify(session.amr ?? []) === JSON.stringify(login.amr)
  );
}

/**
 * Whether the person must prove it's them again before the provider's login prompt is answered:
 * only when the app asked for a fresh proof (`prompt=login`, or `max_age` that the provider's
 * session no longer meets) and the browser session's last proof does not answer it. A proof
 * answers when it was made no earlier than the second the request reached the provider
 * (`requestedAt`, the interaction's `iat`; a second is all `auth_time` can tell), or, for
 * `max_age` without `prompt=login`, within that many seconds of now.
 */
export function needsNewProof(reasons: readonly string[], proof: Pick<SessionProof, "provedAt">, request: { requestedAt: number; maxAge?: number }, now: Date): boolean {
  const promptLogin = reasons.includes("login_prompt");
  if (!promptLogin && !reasons.includes("max_age")) return false;
  const provedAt = epochSeconds(proof.provedAt);
  if (provedAt >= request.requestedAt) return false;
  if (promptLogin || request.maxAge === undefined) return true;
  return epochSeconds(now) - provedAt > request.maxAge;
}

/** `max_age` as the request gave it (oidc-provider has checked it is a non-negative integer). */
export function maxAgeOf(params: Record<string, unknown>): number | undefined {
  const value = params.max_age;
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** An e-mail address to pre-fill from `login_hint`: OpenID Connect leaves its form open; an address is what our field takes. */
export function emailFromLoginHint(hint: unknown): string | undefined {
  if (typeof hint !== "string") return undefined;
  const value = hint.trim();
  return value.length > 0 && value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value) ? value : undefined;
}
