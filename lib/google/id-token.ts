import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { EmailSchema, NameSchema } from "@/lib/validation/fields";

/**
 * Google id_tokens, verified locally against the issuer's published keys (never by calling
 * Google's tokeninfo endpoint: that is a network round trip per sign-in and Google discourages it
 * in production). Every check a relying party must make is here, in one place:
 * signature (RS256/ES256 only), `iss`, `aud` (one of our client ids), `exp`/`nbf`/`iat` with a
 * small clock tolerance, and a present `sub` and verified `email`.
 */

export interface GoogleIdentity {
  /** The issuer as configured (GOOGLE_ISSUER), not the spelling in the token: accounts are keyed by it. */
  issuer: string;
  subject: string;
  /** Trimmed and lowercased, as every e-mail in this service. */
  email: string;
  emailVerified: true;
  name?: string;
}

const GOOGLE_ISSUER = "https://accounts.google.com";
// Google signs with RS256; ES256 is the other algorithm an OpenID provider may use. Never "none",
// never HMAC (an HS256 token "signed" with the public key must not pass).
const ALGORITHMS = ["RS256", "ES256"];
const CLOCK_TOLERANCE_SECONDS = 60;

// Key caching. jose's remote set keeps the keys for `cacheMaxAge` and refetches early when a token
// names a kid it does not know (Google rotates keys every few days and publishes new ones ahead of
// use), but at most once per `cooldownDuration`, so tokens with made-up kids cannot make us hammer
// the issuer. The discovery document changes far less often than the keys.
const JWKS_OPTIONS = { cacheMaxAge: 60 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 } as const;
const DISCOVERY_TTL_MS = 24 * 60 * 60_000;
const DISCOVERY_RETRY_MS = 60_000;
const DISCOVERY_TIMEOUT_MS = 5_000;

type KeySet = ReturnType<typeof createRemoteJWKSet>;

interface IssuerKeys {
  issuer: string;
  jwksUri: string;
  keys: KeySet;
  /** When the discovery document is due to be read again (Date.now() based: a cache, not an expiry rule). */
  refreshAt: number;
}

let current: IssuerKeys | undefined;
let pending: Promise<IssuerKeys> | undefined;

/** The issuer could not be reached or answered nonsense: not the token's fault, so not a 400. */
class IssuerUnavailableError extends Error {
  override name = "IssuerUnavailableError";
}

/** Drops cached discovery data and keys (tests; also harmless at any time). */
export function resetGoogleKeyCache(): void {
  current = undefined;
  pending = undefined;
}

/** Issuer spellings a token may carry: Google's id_tokens use both forms. */
export function acceptedIssuers(issuer: string): string[] {
  return issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, "accounts.google.com"] : [issuer];
}

async function discover(issuer: string): Promise<{ jwksUri: string }> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let doc: unknown;
  try {
    const res = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
    if (res.status !== 200) throw new IssuerUnavailableError(`discovery answered ${res.status}`);
    doc = await res.json();
  } catch (error) {
    if (error instanceof IssuerUnavailableError) throw error;
    throw new IssuerUnavailableError(`discovery failed: ${(error as Error).message}`, { cause: error });
  }
  const { issuer: declared, jwks_uri: jwksUri } = (doc ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from; a
  // mismatch means a misconfigured GOOGLE_ISSUER, which should show up loudly, not as bad tokens.
  if (typeof declared !== "string" || declared.replace(/\/+$/, "") !== issuer) {
    throw new IssuerUnavailableError(`discovery document names issuer ${String(declared)}, expected ${issuer}`);
  }
  if (typeof jwksUri !== "string" || !URL.canParse(jwksUri)) throw new IssuerUnavailableError("discovery document has no valid jwks_uri");
  // Keys fetched over plain HTTP could be swapped in transit; only a plain-HTTP issuer (a local
  // test double) may publish them that way.
  if (new URL(jwksUri).protocol !== "https:" && new URL(issuer).protocol === "https:") {
    throw new IssuerUnavailableError("jwks_uri must use https");
  }
  return { jwksUri };
}

/** The issuer's key set, from the cached discovery document; a stale document is kept if re-reading it fails. */
async function issuerKeys(issuer: string): Promise<KeySet> {
  if (current?.issuer === issuer && Date.now() < current.refreshAt) return current.keys;
  pending ??= discover(issuer)
    .then(({ jwksUri }) => {
      // Keep the key cache when the document still points at the same set.
      const keys = current?.issuer === issuer && current.jwksUri === jwksUri ? current.keys : createRemoteJWKSet(new URL(jwksUri), JWKS_OPTIONS);
      current = { issuer, jwksUri, keys, refreshAt: Date.now() + DISCOVERY_TTL_MS };
      return current;
    })
    .finally(() => {
      pending = undefined;
    });
  try {
    return (await pending).keys;
  } catch (error) {
    if (current?.issuer !== issuer) throw error;
    log.warn("google discovery refresh failed; using the cached document", { reason: (error as Error).message });
    current.refreshAt = Date.now() + DISCOVERY_RETRY_MS;
    return current.keys;
  }
}

/**
 * The key lookup jwtVerify calls once the token is well-formed and its algorithm allowed (so
 * garbage never costs a network request). Failures to fetch the key set (timeouts, network errors,
 * non-200 or unparsable answers) are told apart from a token naming a key that does not exist.
 */
function keyLookup(issuer: string): JWTVerifyGetKey {
  return async (header, token) => {
    const keys = await issuerKeys(issuer);
    try {
      return await keys(header, token);
    } catch (error) {
      const tokenProblem =
        error instanceof joseErrors.JOSEError &&
        !(error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) &&
        // jose reports a non-200 or unparsable key set response with its base class.
        error.code !== "ERR_JOSE_GENERIC";
      if (tokenProblem) throw error;
      throw new IssuerUnavailableError(`key set fetch failed: ${(error as Error).message}`, { cause: error });
    }
  };
}

class ClaimError extends Error {
  override name = "ClaimError";
}

function identityFrom(payload: JWTPayload, issuer: string, clientIds: string[], nowSeconds: number): GoogleIdentity {
  // jose checks `iat` only for type; a token "issued" in the future is as suspect as an `nbf` there.
  if (typeof payload.iat === "number" && payload.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) throw new ClaimError("iat is in the future");
  // With several audiences the authorized party must be one of ours too (OpenID Connect Core §3.1.3.7).
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && !(typeof payload.azp === "string" && clientIds.includes(payload.azp))) {
    throw new ClaimError("azp is not one of our client ids");
  }
  if (typeof payload.sub !== "string" || payload.sub === "" || payload.sub.length > 255) throw new ClaimError("sub is missing or too long");
  const email = EmailSchema.safeParse(payload.email);
  if (!email.success || email.data === "") throw new ClaimError("email is missing or malformed");
  // Google sends a boolean; some of its older libraries and other issuers send the string.
  const verified = payload.email_verified === true || payload.email_verified === "true";
  if (!verified) throw new ClaimError("email is not verified");
  const name = NameSchema.safeParse(payload.name);
  return {
    issuer,
    subject: payload.sub,
    email: email.data,
    emailVerified: true,
    ...(name.success && name.data !== "" ? { name: name.data } : {}),
  };
}

/**
 * Verifies a Google id_token and returns who it names. A token that fails any check throws
 * GOOGLE_TOKEN_INVALID on `idToken`;
 * an unreachable issuer throws SERVICE_UNAVAILABLE, since the client's token may be fine.
 */
export async function verifyGoogleIdToken(idToken: string): Promise<GoogleIdentity> {
  const { issuer, clientIds } = config().google;
  const invalid = (reason: string, cause?: unknown) => {
    log.info("google id_token rejected", { reason });
    return new AppError("GOOGLE_TOKEN_INVALID", { field: "idToken", cause });
  };
  // No configured client ids means no audience is ours: refuse without touching the network.
  if (clientIds.length === 0) throw invalid("GOOGLE_CLIENT_ID is not configured");

  try {
    const currentDate = now();
    const { payload } = await jwtVerify(idToken, keyLookup(issuer), {
      algorithms: ALGORITHMS,
      issuer: acceptedIssuers(issuer),
      audience: clientIds,
      // A token without `exp` would never expire; Google always sends both.
      requiredClaims: ["exp", "iat", "sub"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate,
    });
    return identityFrom(payload, issuer, clientIds, Math.floor(currentDate.getTime() / 1000));
  } catch (error) {
    if (error instanceof IssuerUnavailableError) {
      log.warn("google issuer unavailable", { issuer, reason: error.message });
      throw new AppError("SERVICE_UNAVAILABLE", { cause: error, retryAfterSeconds: 30 });
    }
    // jose's codes survive minification, its class names do not.
    if (error instanceof joseErrors.JOSEError) throw invalid(`${error.code}: ${error.message}`, error);
    if (error instanceof ClaimError) throw invalid(error.message, error);
    throw error;
  }
}
