"use client";

import { useTranslations } from "next-intl";
import type { ButtonHTMLAttributes, ReactNode } from "react";
import { useFormStatus } from "react-dom";
import { Spinner } from "./spinner";
import { buttonStyles } from "./styles";

interface SubmitButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, "type"> {
  children: ReactNode;
  /** What the button says while the form is being sent ("Signing in…"). */
  pendingText?: string;
  /**
   * Pending state from outside: forms validated by react-hook-form dispatch their action in a
   * transition themselves, which useFormStatus does not see, so they pass useActionState's flag.
   */
  pending?: boolean;
  variant?: keyof typeof buttonStyles;
  fullWidth?: boolean;
}

/**
 * A submit button that is disabled while its form is on its way, so a double click sends one
 * request (the actions are safe to repeat anyway), and says so with a spinner and "…" text.
 */
export function SubmitButton({
  children,
  pendingText,
  pending: pendingProp = false,
  variant = "primary",
  fullWidth = true,
  className,
  disabled,
  ...rest
}: SubmitButtonProps) {
  const t = useTranslations("common");
  const { pending: formPending } = useFormStatus();
  const pending = pendingProp || formPending;
  return (
    <button
      type="submit"
      disabled={pending || disabled}
      aria-busy={pending || undefined}
      className={`${buttonStyles[variant]} ${fullWidth ? "w-full" : ""} ${className ?? ""}`}
      {...rest}
    >
      {pending ? (
        <>
          <Spinner />
          {pendingText ?? t("pleaseWait")}
        </>
      ) : (
        children
      )}
    </button>
  );
}
