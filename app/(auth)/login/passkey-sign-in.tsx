"use client";

import { useTranslations } from "next-intl";
import { startTransition, useActionState, useEffect, useEffectEvent, useState } from "react";
import { FormMessage } from "@/components/form-message";
import { PasskeyIcon } from "@/components/passkey-icon";
import { Spinner } from "@/components/spinner";
import { buttonStyles } from "@/components/styles";
import { IDLE_STATE } from "@/components/use-action-form";
import { describePasskeyError, loadWebAuthn } from "@/components/webauthn";
import { passkeySignInAction, passkeySignInOptionsAction } from "@/app/(auth)/actions";
import type { FormState } from "@/lib/web/form-state";

type Prompt = { status: "idle" } | { status: "waiting" } | { status: "error" | "info"; message: string };

/** The field whose autofill may offer this site's passkeys (LoginForm's Email field). */
const AUTOFILL_FIELD = 'input[autocomplete~="webauthn"]';

/**
 * "Sign in with a passkey", and the same sign-in offered by the Email field's autofill
 * (conditional mediation: a pending request that the browser lists beside saved addresses; the
 * field says `autocomplete="username webauthn"`). The request, and the library, wait for the
 * field's first pointer-down or focus rather than the page load. Either way the answer goes to
 * the server, which signs in and sends the person where a password sign-in would.
 */
export function PasskeySignIn({ next }: { next: string }) {
  const t = useTranslations("auth.passkey");
  const common = useTranslations("common");
  const [state, dispatch, verifying] = useActionState(passkeySignInAction, IDLE_STATE);
  const [prompt, setPrompt] = useState<Prompt>({ status: "idle" });
  // A new round arms the autofill again once the button's prompt has taken its place. Not after
  // the server refused what the autofill gave: an authenticator that answers without asking
  // (a test's virtual one) would loop.
  const [round, setRound] = useState(0);

  // The server's answer to an attempt replaces whatever the last prompt said.
  const [answered, setAnswered] = useState(state);
  if (answered !== state) {
    setAnswered(state);
    setPrompt({ status: "idle" });
  }

  const signInWith = (response: unknown) => {
    const data = new FormData();
    data.set("response", JSON.stringify(response));
    data.set("next", next);
    startTransition(() => dispatch(data));
  };

  const armAutofill = useEffectEvent(async (isCurrent: () => boolean) => {
    // Without support there is nothing to arm, and the library is not even loaded.
    if (!(await window.PublicKeyCredential?.isConditionalMediationAvailable?.().catch(() => false))) return;
    try {
      const [webauthn, options] = await Promise.all([loadWebAuthn(), passkeySignInOptionsAction(IDLE_STATE, new FormData())]);
      if (!isCurrent() || options.status !== "success" || !options.data) return;
      const response = await webauthn.startAuthentication({ optionsJSON: options.data.options, useBrowserAutofill: true });
      if (isCurrent()) signInWith(response);
    } catch {
      // Replaced by the button's prompt, the page is being left, or offline: nothing to tell.
    }
  });

  useEffect(() => {
    let current = true;
    let armed = false;
    const arm = () => {
      if (armed) return;
      armed = true;
      void armAutofill(() => current);
    };
    const onIntent = (event: Event) => {
      if (event.target instanceof Element && event.target.matches(AUTOFILL_FIELD)) arm();
    };
    // After the button's prompt the person is here already; a field focused before hydration counts too.
    if (round > 0 || document.activeElement?.matches(AUTOFILL_FIELD)) arm();
    document.addEventListener("pointerdown", onIntent);
    document.addEventListener("focusin", onIntent);
    return () => {
      current = false;
      document.removeEventListener("pointerdown", onIntent);
      document.removeEventListener("focusin", onIntent);
      // A pending request would otherwise outlive the page in a client-side navigation.
      if (armed) void loadWebAuthn().then((webauthn) => webauthn.WebAuthnAbortService.cancelCeremony());
    };
  }, [round]);

  const onClick = async () => {
    setPrompt({ status: "waiting" });
    try {
      const [webauthn, options] = await Promise.all([loadWebAuthn(), passkeySignInOptionsAction(IDLE_STATE, new FormData())]);
      if (options.status !== "success" || !options.data) {
        setPrompt({ status: "error", message: options.message ?? t("failed") });
        return;
      }
      // This prompt takes the place of the autofill's pending request (the library aborts that one).
      const response = await webauthn.startAuthentication({ optionsJSON: options.data.options });
      setPrompt({ status: "idle" });
      signInWith(response);
    } catch (error) {
      const { cancelled, message } = describePasskeyError(error, "sign-in", common);
      setPrompt({ status: cancelled ? "info" : "error", message });
      setRound((r) => r + 1);
    }
  };

  const busy = prompt.status === "waiting" || verifying;
  const shown: { status: FormState["status"]; message?: string } = busy ? { status: "idle" } : prompt.status === "idle" ? state : prompt;
  return (
    <div>
      <FormMessage status={shown.status} message={shown.message} />
      <button type="button" onClick={onClick} disabled={busy} aria-busy={busy || undefined} className={`${buttonStyles.secondary} w-full`}>
        {busy ? <Spinner /> : <PasskeyIcon />}
        {verifying ? t("pending") : prompt.status === "waiting" ? t("waiting") : t("button")}
      </button>
    </div>
  );
}
