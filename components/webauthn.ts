/**
 * The browser's side of passkeys. @simplewebauthn/browser is loaded only when a passkey is about to
 * be used (a click, or the sign-in page arming its autofill), so other pages never carry it.
 */

export const loadWebAuthn = () => import("@simplewebauthn/browser");

/** What went wrong with a passkey prompt, in the person's terms; `cancelled` when they closed it. */
export function describePasskeyError(error: unknown, doing: "sign-in" | "add"): { cancelled: boolean; message: string } {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  // NotAllowedError is also what a timed-out prompt raises: either way, nothing happened.
  if (name === "NotAllowedError" || name === "AbortError" || code === "ERROR_CEREMONY_ABORTED") {
    return { cancelled: true, message: doing === "add" ? "Adding a passkey was cancelled. Nothing was saved." : "Signing in with a passkey was cancelled." };
  }
  if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") {
    return { cancelled: false, message: "This device already has a passkey for your account." };
  }
  if (typeof window !== "undefined" && !window.PublicKeyCredential) {
    return { cancelled: false, message: "This browser can’t use passkeys. Try another browser or device." };
  }
  return {
    cancelled: false,
    message: doing === "add" ? "Your browser couldn’t create a passkey. Please try again." : "Your browser couldn’t use a passkey. Please try again.",
  };
}
