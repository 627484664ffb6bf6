"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { Spinner } from "./spinner";
import { buttonStyles } from "./styles";

/**
 * Starts the Google sign-in through next-auth. Where the person lands afterwards is `callbackUrl`
 * (a path on this site); failures come back to /login?error=<code>. next-auth's browser code is
 * fetched on the click: most visits never press the button.
 */
export function GoogleButton({ callbackUrl, label }: { callbackUrl: string; label?: string }) {
  const t = useTranslations("common.google");
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      aria-busy={pending || undefined}
      className={`${buttonStyles.secondary} w-full`}
      onClick={() => {
        setPending(true);
        // signIn navigates away on success; if it or its loading fails (offline), the button comes back.
        import("next-auth/react")
          .then(({ signIn }) => signIn("google", { callbackUrl }))
          .catch(() => setPending(false));
      }}
    >
      {pending ? <Spinner /> : <GoogleLogo />}
      {pending ? t("redirecting") : (label ?? t("continue"))}
    </button>
  );
}

/** Google's "G" in its brand colours, as Google's sign-in branding guidelines ask. */
function GoogleLogo() {
  return (
    <svg className="size-5" viewBox="0 0 48 48" aria-hidden="true">
      <path fill="#FFC107" d="M43.6 20.5H42V20H24v8h11.3C33.7 32.7 29.2 36 24 36c-6.6 0-12-5.4-12-12s5.4-12 12-12c3.1 0 5.8 1.2 7.9 3.1l5.7-5.7C34 6.1 29.3 4 24 4 12.9 4 4 12.9 4 24s8.9 20 20 20 20-8.9 20-20c0-1.3-.1-2.4-.4-3.5z" />
      <path fill="#FF3D00" d="M6.3 14.7l6.6 4.8C14.7 15.1 19 12 24 12c3.1 0 5.8 1.2 7.9 3.1l5.7-5.7C34 6.1 29.3 4 24 4 16.3 4 9.7 8.3 6.3 14.7z" />
      <path fill="#4CAF50" d="M24 44c5.2 0 9.9-2 13.4-5.2l-6.2-5.2C29.2 35.1 26.7 36 24 36c-5.2 0-9.6-3.3-11.3-7.9l-6.5 5C9.5 39.6 16.2 44 24 44z" />
      <path fill="#1976D2" d="M43.6 20.5H42V20H24v8h11.3c-.8 2.2-2.2 4.2-4.1 5.6l6.2 5.2C37 39.2 44 34 44 24c0-1.3-.1-2.4-.4-3.5z" />
    </svg>
  );
}
