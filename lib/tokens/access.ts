import { randomUUID, sign } from "node:crypto";
import { errors as joseErrors, jwtVerify, type CryptoKey, type JWSHeaderParameters } from "jose";
import { z } from "zod";
import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { signingKey, verificationKeys, type SigningKey, type VerificationKey } from "./keys";

/**
 * Access tokens: short-lived JWTs signed with the service's asymmetric key (see keys.ts). Every
 * time decision reads lib/clock, so tests can move the clock of a running server.
 */

/** Absorbs clock skew between this service and the hosts that verify its tokens. */
const CLOCK_TOLERANCE_SECONDS = 30;
// Real tokens are well under 1 KiB; refusing huge input keeps a hostile header from costing work.
const MAX_TOKEN_LENGTH = 8 * 1024;

export interface AccessTokenUser {
  id: number;
  email: string;
  verified: boolean;
  role: string;
}

// A type alias, not an interface, so it is assignable to jose's JWTPayload (an index signature).
export type AccessTokenClaims = {
  iss: string;
  aud: string;
  sub: string;
  id: number;
  email: string;
  email_verified: boolean;
  role: string;
  token_type: "access";
  iat: number;
  exp: number;
  jti: string;
  /** The session the token was issued for: this service's endpoints refuse it once the session ends. */
  sid: string;
  /** When the session's owner last proved it was them (seconds), and how (RFC 8176 values). */
  auth_time?: number;
  amr?: string[];
};

/** The session's last proof, for `auth_time` and `amr`. */
export interface AccessTokenProof {
  authTime: Date;
  amr: string[];
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
  jti: string;
}

const ClaimsSchema = z
  .object({
    iss: z.string(),
    aud: z.string(),
    sub: z.string().regex(/^[1-9][0-9]*$/),
    id: z.number().int().positive(),
    email: z.string(),
    email_verified: z.boolean(),
    role: z.string(),
    token_type: z.literal("access"),
    iat: z.number().int(),
    exp: z.number().int(),
    jti: z.string().min(1),
    sid: z.string().min(1),
    auth_time: z.number().int().optional(),
    amr: z.array(z.string()).optional(),
  })
  .refine((claims) => claims.sub === String(claims.id), "sub and id name different users");

/**
 * Signs an access token for `user` in session `sessionId` (the OIDC-style `sid` claim), so that a
 * request can tell which session it comes from and the session's end ends the token too.
 */
export async function issueAccessToken(user: AccessTokenUser, sessionId: string, proof?: AccessTokenProof): Promise<IssuedAccessToken> {
  const key = await signingKey();
  const { appUrl, accessTokenTtlSeconds } = config();
  const iat = Math.floor(now().getTime() / 1000);
  const claims: AccessTokenClaims = {
    iss: appUrl,
    aud: accessTokenAudience(appUrl),
    sub: String(user.id),
    id: user.id,
    email: user.email,
    email_verified: user.verified,
    role: user.role,
    token_type: "access",
    iat,
    exp: iat + accessTokenTtlSeconds,
    jti: randomUUID(),
    sid: sessionId,
    ...(proof ? { auth_time: Math.floor(proof.authTime.getTime() / 1000), amr: proof.amr } : {}),
  };
  return { token: signedJwt(key, claims), expiresAt: new Date(claims.exp * 1000), jti: claims.jti };
}

const base64url = (text: string) => Buffer.from(text).toString("base64url");

/**
 * The claims as a compact JWS (RFC 7515 §7.1), signed by node:crypto in one synchronous call.
 * jose signs only through WebCrypto, which costs about three times the CPU (150 against 58 µs for
 * Ed25519 here) and waits for a thread of libuv's pool: every sign-in, sign-up and refresh signs
 * one. jose still verifies every token, ours included (the tests check that it accepts these).
 */
function signedJwt(key: SigningKey, claims: AccessTokenClaims): string {
  const signingInput = `${base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
  // EdDSA hashes inside the algorithm; ES256 signs the SHA-256 digest, its signature as JWS's r‖s
  // (dsaEncoding, which Ed25519 ignores).
  const signature = sign(key.alg === "EdDSA" ? null : "sha256", Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}

/**
 * Tokens whose signature and claims were verified, so that a client's next requests with the same
 * token cost a lookup instead of a signature check (the larger part of an authenticated request's
 * own work). Only the exact string that passed is found again (it is the key: hashing it first
 * cost more than the lookup, and 5,000 tokens of under 1 KiB are a few MB); its time claims are
 * checked on every use, as jose checks them. The session behind it is still checked on every
 * request by the caller. At most VERIFIED_MAX entries, oldest out first.
 */
const VERIFIED_MAX = 5000;
const verified = new Map<string, Readonly<AccessTokenClaims>>();

/** jose's time checks (exp, and iat through maxTokenAge), on lib/clock's time. */
function stillInTime(claims: AccessTokenClaims, ttlSeconds: number): boolean {
  const at = Math.floor(now().getTime() / 1000);
  const age = at - claims.iat;
  return claims.exp > at - CLOCK_TOLERANCE_SECONDS && age - CLOCK_TOLERANCE_SECONDS <= ttlSeconds && age >= -CLOCK_TOLERANCE_SECONDS;
}

function remember(token: string, claims: AccessTokenClaims): void {
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(token, Object.freeze(claims));
}

/** The token's claims, or AppError ACCESS_TOKEN_INVALID for anything this service did not issue or that has expired. */
export async function verifyAccessToken(token: string): Promise<AccessTokenClaims> {
  // Outside the try: a broken key configuration is a server fault (500), not the client's bad token.
  const keys = await verificationKeys();
  const { appUrl, accessTokenTtlSeconds } = config();
  const wellSized = typeof token === "string" && token.length <= MAX_TOKEN_LENGTH;
  const known = wellSized ? verified.get(token) : undefined;
  if (known) {
    if (stillInTime(known, accessTokenTtlSeconds)) return known;
    verified.delete(token);
    throw new AppError("ACCESS_TOKEN_INVALID", { cause: new TypeError("expired") });
  }
  try {
    if (!wellSized) throw new TypeError("not a token");
    const { payload } = await jwtVerify(token, (header) => publicKeyFor(keys, header), {
      // Only our keys' own algorithms: "none", HS256 "signed" with public key bytes, etc. never pass.
      algorithms: [...new Set(keys.map((k) => k.alg))],
      typ: "JWT",
      issuer: appUrl,
      audience: accessTokenAudience(appUrl),
      requiredClaims: ["sub", "aud", "iat", "exp", "jti", "sid"],
      currentDate: now(),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // Also makes jose reject an iat in the future.
      maxTokenAge: accessTokenTtlSeconds,
    });
    const claims = ClaimsSchema.parse(payload);
    // A lifetime longer than we sign can only come from a leaked key or a bug: refuse it either way.
    if (claims.exp - claims.iat > accessTokenTtlSeconds) throw new TypeError("lifetime longer than configured");
    remember(token, claims);
    return claims;
  } catch (cause) {
    throw new AppError("ACCESS_TOKEN_INVALID", { cause });
  }
}

/** The key named by the header's kid, and only for the algorithm that key is meant for. */
function publicKeyFor(keys: readonly VerificationKey[], header: JWSHeaderParameters): CryptoKey {
  const key = keys.find((k) => k.kid === header.kid && k.alg === header.alg);
  if (!key) throw new joseErrors.JWKSNoMatchingKey();
  return key.publicKey;
}

/**
 * Who access tokens are for: the API under APP_URL/auth. Another service that accepts them checks
 * this (and `iss`), so a token meant for this API is not mistaken for one of its own.
 */
export const accessTokenAudience = (appUrl: string) => `${appUrl}/auth`;
