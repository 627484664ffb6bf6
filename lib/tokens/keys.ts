import { createPrivateKey, createPublicKey, type JsonWebKey as NodeJwk, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from "jose";
import { config } from "@/lib/config/env";

/**
 * The access-token signing key, read from JWT_PRIVATE_KEY (PKCS#8 PEM or a private JWK) once per
 * process. Only asymmetric algorithms are supported so that other services can verify tokens with
 * the published public key alone (GET /.well-known/jwks.json) and never hold a signing secret.
 */

export type SigningAlgorithm = "EdDSA" | "ES256";

/** A public key as published in the JWKS: enough to verify, nothing that could sign. */
export interface PublicJwk {
  kty: "OKP" | "EC";
  crv: "Ed25519" | "P-256";
  x: string;
  y?: string;
  kid: string;
  use: "sig";
  alg: SigningAlgorithm;
}

/** A key that tokens may be verified with. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: CryptoKey;
  publicJwk: PublicJwk;
}

/** The key new tokens are signed with; it also verifies them. */
export interface SigningKey extends VerificationKey {
  /**
   * A node:crypto key, not a WebCrypto one: node's one-shot sign costs about a third of the CPU of
   * WebCrypto's and does not queue on libuv's thread pool (access.ts).
   */
  privateKey: KeyObject;
}

export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

let cached: Promise<SigningKey> | undefined;

/** The process's signing key, loaded on first use. */
export function signingKey(): Promise<SigningKey> {
  // A failed load is not cached: the error names the problem, and a retry after a fix should work.
  cached ??= loadSigningKey(config().jwtPrivateKey).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/**
 * Every key a presented token may be signed with, looked up by `kid`. Today that is the signing key
 * alone; during a key rotation the previous key's public half would be appended here (and to the
 * JWKS) until the last token it signed has expired.
 */
export async function verificationKeys(): Promise<readonly VerificationKey[]> {
  return [await signingKey()];
}

/** The OpenID provider's ID-token key (RS256, OpenID Connect's default; ADR 015): its public half. */
export interface RsaPublicJwk {
  kty: "RSA";
  n: string;
  e: string;
  kid: string;
  use: "sig";
  alg: "RS256";
}

/** The provider's RS256 key, private JWK and public JWK, when one is configured (OIDC_RSA_PRIVATE_KEY). */
export interface OidcKey {
  privateJwk: JWK & { kid: string; alg: "RS256"; use: "sig" };
  publicJwk: RsaPublicJwk;
}

let cachedOidc: Promise<OidcKey | null> | undefined;

export function oidcKey(): Promise<OidcKey | null> {
  cachedOidc ??= loadOidcKey(config().oidcRsaPrivateKey).catch((error: unknown) => {
    cachedOidc = undefined;
    throw error;
  });
  return cachedOidc;
}

/** Parses OIDC_RSA_PRIVATE_KEY (PKCS#8 PEM or a private JWK; RSA of 2048 bits or more). Exported for tests. */
export async function loadOidcKey(material: string | undefined): Promise<OidcKey | null> {
  if (!material) return null;
  let key: KeyObject;
  try {
    const text = material.trim();
    key = text.startsWith("{")
      ? createPrivateKey({ key: JSON.parse(text) as NodeJwk, format: "jwk" })
      : createPrivateKey({ key: text.replace(/\\n/g, "\n"), format: "pem" });
  } catch {
    throw new SigningKeyError("OIDC_RSA_PRIVATE_KEY is not a readable private key: expected a PKCS#8 PEM or a private JWK (RSA)");
  }
  if (key.type !== "private" || key.asymmetricKeyType !== "rsa" || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new SigningKeyError("OIDC_RSA_PRIVATE_KEY must be a private RSA key of at least 2048 bits");
  }
  const pub = createPublicKey(key).export({ format: "jwk" });
  const bare = { kty: "RSA" as const, n: pub.n!, e: pub.e! };
  const kid = await calculateJwkThumbprint(bare, "sha256");
  const publicJwk: RsaPublicJwk = { ...bare, kid, use: "sig", alg: "RS256" };
  return { privateJwk: { ...(key.export({ format: "jwk" }) as JWK), kid, alg: "RS256", use: "sig" }, publicJwk };
}

/**
 * The JSON Web Key Set other services verify our tokens with: the access tokens' key, and the
 * OpenID provider's RS256 ID-token key when it is on.
 */
export async function publicJwks(): Promise<{ keys: Array<PublicJwk | RsaPublicJwk> }> {
  const keys = await verificationKeys();
  const oidc = await oidcKey();
  return { keys: [...keys.map((k) => ({ ...k.publicJwk })), ...(oidc ? [{ ...oidc.publicJwk }] : [])] };
}

/** The access tokens' key as a private JWK, for the OpenID provider's key set (ADR 015): ID tokens on a client's request. */
export async function signingPrivateJwk(): Promise<JWK & { kid: string; alg: SigningAlgorithm; use: "sig" }> {
  const { kid, alg, privateKey } = await signingKey();
  return { ...(privateKey.export({ format: "jwk" }) as JWK), kid, alg, use: "sig" };
}

/** Parses key material (PKCS#8 PEM or private JWK JSON) into a signing key. Exported for tests. */
export async function loadSigningKey(material: string): Promise<SigningKey> {
  const privateKeyObject = parsePrivateKey(material);
  const alg = algorithmFor(privateKeyObject);
  const bareJwk = publicPartOf(createPublicKey(privateKeyObject).export({ format: "jwk" }));
  const kid = await calculateJwkThumbprint(bareJwk, "sha256");
  const publicJwk: PublicJwk = { ...bareJwk, kid, use: "sig", alg };
  // The public half is a CryptoKey bound to one algorithm: WebCrypto then refuses to verify with it
  // under any other, whatever a token header says. The private half only signs what access.ts
  // writes, with the algorithm chosen here.
  const publicKey = (await importJWK(bareJwk, alg)) as CryptoKey;
  return { kid, alg, privateKey: privateKeyObject, publicKey, publicJwk };
}

function parsePrivateKey(material: string): KeyObject {
  const text = material.trim();
  try {
    if (text.startsWith("{")) return createPrivateKey({ key: JSON.parse(text) as NodeJwk, format: "jwk" });
    // Keys pasted into one-line environment variables often carry literal "\n" sequences.
    return createPrivateKey({ key: text.replace(/\\n/g, "\n"), format: "pem" });
  } catch {
    // The underlying error is not attached: it may quote the key material into a log.
    throw new SigningKeyError(
      "JWT_PRIVATE_KEY is not a readable private key: expected a PKCS#8 PEM or a private JWK (Ed25519 or P-256)",
    );
  }
}

function algorithmFor(key: KeyObject): SigningAlgorithm {
  if (key.type !== "private") throw new SigningKeyError("JWT_PRIVATE_KEY must be a private key, not a public one");
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  throw new SigningKeyError(
    `JWT_PRIVATE_KEY must be an Ed25519 or P-256 key (got ${key.asymmetricKeyType}${curve ? ` ${curve}` : ""})`,
  );
}

/** Only the members RFC 7638 hashes and a verifier needs; drops anything a JWK input carried along. */
function publicPartOf(jwk: NodeJwk): Pick<PublicJwk, "kty" | "crv" | "x" | "y"> {
  if (jwk.kty === "OKP") return { kty: "OKP", crv: "Ed25519", x: jwk.x! };
  return { kty: "EC", crv: "P-256", x: jwk.x!, y: jwk.y! };
}
