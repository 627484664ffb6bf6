/**
 * The browser's side of passkeys. @simplewebauthn/browser is loaded only when a passkey is about to
 * be used (a click, or the sign-in page arming its autofill), so other pages never carry it.
 */

export const loadWebAuthn = () => import("@simplewebauthn/browser");

type PasskeyProblem = "addCancelled" | "signInCancelled" | "alreadyRegistered" | "unsupported" | "addFailed" | "signInFailed";

/** The `common` namespace's translator (useTranslations("common")), or anything that words its `passkey.*` keys. */
export type PasskeyWords = (key: `passkey.${PasskeyProblem}`) => string;

/**
 * What went wrong with a passkey prompt, in the person's terms (`t`: useTranslations("common"));
 * `cancelled` when they closed it.
 */
export function describePasskeyError(
  error: unknown,
  doing: "sign-in" | "add",
  t: PasskeyWords,
): { cancelled: boolean; message: string } {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  // NotAllowedError is also what a timed-out prompt raises: either way, nothing happened.
  if (name === "NotAllowedError" || name === "AbortError" || code === "ERROR_CEREMONY_ABORTED") {
    return { cancelled: true, message: t(doing === "add" ? "passkey.addCancelled" : "passkey.signInCancelled") };
  }
  if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") {
    return { cancelled: false, message: t("passkey.alreadyRegistered") };
  }
  if (typeof window !== "undefined" && !window.PublicKeyCredential) {
    return { cancelled: false, message: t("passkey.unsupported") };
  }
  return { cancelled: false, message: t(doing === "add" ? "passkey.addFailed" : "passkey.signInFailed") };
}
