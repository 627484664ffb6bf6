"use client";

import { useTranslations } from "next-intl";
import { startTransition, useActionState, useEffect, useMemo, useRef, useState } from "react";
import { FormMessage } from "@/components/form-message";
import { OtpInput } from "@/components/otp-input";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { EmailField } from "@/components/email-field";
import { IDLE_STATE, useActionForm } from "@/components/use-action-form";
import { resendCodeAction, verifyCodeAction } from "@/app/(auth)/actions";
import { verifyFormSchema } from "@/lib/validation/forms";

export function VerifyForm({ email, next, otpLength }: { email: string; next: string; otpLength: number }) {
  const t = useTranslations("auth.verify");
  const errors = useTranslations("errors");
  const schema = useMemo(() => verifyFormSchema(otpLength), [otpLength]);
  const otpRef = useRef<{ focus(): void }>(null);
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(
    schema,
    verifyCodeAction,
    { email, next, code: "" },
    // The boxes are not a registered input, so react-hook-form cannot focus them itself.
    (errors) => {
      if (errors.code && !errors.email) otpRef.current?.focus();
    },
  );
  const formRef = useRef<HTMLFormElement>(null);
  const [typedEmail, setTypedEmail] = useState(email);

  // A rejected code is cleared (a new OtpInput) so the next attempt starts from the first box.
  const [attempt, setAttempt] = useState({ state, key: 0 });
  if (attempt.state !== state) setAttempt({ state, key: state.fieldErrors?.code ? attempt.key + 1 : attempt.key });

  const emailField = form.register("email");
  // "Fill in this field." says little about a row of boxes, empty or not full: say how many digits.
  const codeError = errorFor("code");
  const incomplete = codeError !== undefined && [errors("BLANK"), errors("REQUIRED"), errors("CODE_FORMAT")].includes(codeError);

  return (
    <div>
      <form ref={formRef} {...formProps}>
        <FormMessage status={state.status} message={state.message} />
        <input type="hidden" name="next" value={next} />
        {email ? (
          <input type="hidden" name="email" value={email} />
        ) : (
          <EmailField
            defaultValue={initial.email}
            error={errorFor("email")}
            {...emailField}
            onChange={(e) => {
              void emailField.onChange(e);
              setTypedEmail(e.target.value);
            }}
          />
        )}
        <OtpInput
          key={attempt.key}
          ref={otpRef}
          length={otpLength}
          name="code"
          label={t("code")}
          error={incomplete ? t("codeMissing", { length: otpLength }) : codeError}
          autoFocus={!!email}
          onChange={(code) => form.setValue("code", code, { shouldValidate: form.formState.isSubmitted })}
          // Filling the last box sends the code; the button stays for those who prefer it.
          onComplete={() => formRef.current?.requestSubmit()}
        />
        <SubmitButton pending={pending} pendingText={t("pending")} className="mt-1">
          {t("submit")}
        </SubmitButton>
      </form>
      <ResendCode email={typedEmail} />
    </div>
  );
}

/**
 * "Resend code" with a countdown. The server says how long to wait (retryAfterSeconds: 60 after a
 * send, or what is left of the window when it refused); the button stays focusable while waiting
 * (aria-disabled) so keyboard focus is not thrown away.
 */
function ResendCode({ email }: { email: string }) {
  const t = useTranslations("auth.verify");
  const [state, dispatch, pending] = useActionState(resendCodeAction, IDLE_STATE);
  const [countdown, setCountdown] = useState({ state, seconds: 0 });
  if (countdown.state !== state) setCountdown({ state, seconds: state.retryAfterSeconds ?? 0 });
  const seconds = countdown.seconds;

  useEffect(() => {
    if (seconds <= 0) return;
    const timer = setTimeout(() => setCountdown((c) => ({ ...c, seconds: c.seconds - 1 })), 1000);
    return () => clearTimeout(timer);
  }, [seconds]);

  const waiting = seconds > 0;
  const rateLimited = state.status === "error" && waiting;

  return (
    <form
      action={dispatch}
      onSubmit={(event) => {
        event.preventDefault();
        if (waiting || pending) return;
        const data = new FormData(event.currentTarget);
        startTransition(() => dispatch(data));
      }}
      className="mt-6 border-t border-slate-200 pt-5 text-sm dark:border-slate-800"
    >
      <input type="hidden" name="email" value={email} />
      {email && (
        <p className={`mb-3 ${mutedText}`}>
          {t.rich("orLink", {
            email: () => <bdi dir="ltr" className="inline-block max-w-full font-medium wrap-anywhere text-slate-900 dark:text-white">{email}</bdi>,
          })}
        </p>
      )}
      {rateLimited ? (
        <FormMessage status="info" message={t("sentRecently")} />
      ) : state.status === "error" && !state.message ? (
        // The API's answer for an unknown or already verified address is a field error on `email`.
        <FormMessage status="error" message={t("cantSend")} />
      ) : (
        <FormMessage status={state.status} message={state.message} />
      )}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className={mutedText}>{t("didntGetIt")}</span>
        <button
          type="submit"
          aria-disabled={waiting || pending || undefined}
          aria-describedby={waiting ? "resend-countdown" : undefined}
          className={`${buttonStyles.link} aria-disabled:cursor-not-allowed aria-disabled:text-slate-600 aria-disabled:no-underline dark:aria-disabled:text-slate-400`}
        >
          {pending ? t("resending") : t("resend")}
        </button>
        {waiting && (
          <span id="resend-countdown" className={`tabular-nums ${mutedText}`}>
            {t("waitFor", { wait: seconds <= 90 ? t("seconds", { count: seconds }) : t("minutes", { count: Math.ceil(seconds / 60) }) })}
          </span>
        )}
      </div>
    </form>
  );
}
