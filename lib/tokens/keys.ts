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
  privateKey: CryptoKey;
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

/** The JSON Web Key Set other services verify access tokens with. */
export async function publicJwks(): Promise<{ keys: PublicJwk[] }> {
  const keys = await verificationKeys();
  return { keys: keys.map((k) => ({ ...k.publicJwk })) };
}

/** Parses key material (PKCS#8 PEM or private JWK JSON) into a signing key. Exported for tests. */
export async function loadSigningKey(material: string): Promise<SigningKey> {
  const privateKeyObject = parsePrivateKey(material);
  const alg = algorithmFor(privateKeyObject);
  const privateJwk = privateKeyObject.export({ format: "jwk" }) as JWK;
  const bareJwk = publicPartOf(createPublicKey(privateKeyObject).export({ format: "jwk" }));
  const kid = await calculateJwkThumbprint(bareJwk, "sha256");
  const publicJwk: PublicJwk = { ...bareJwk, kid, use: "sig", alg };
  // Imported as non-extractable CryptoKeys bound to one algorithm: WebCrypto then refuses to use
  // them for anything else, whatever a token header says.
  const [privateKey, publicKey] = await Promise.all([
    importJWK(privateJwk, alg, { extractable: false }) as Promise<CryptoKey>,
    importJWK(bareJwk, alg) as Promise<CryptoKey>,
  ]);
  return { kid, alg, privateKey, publicKey, publicJwk };
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
