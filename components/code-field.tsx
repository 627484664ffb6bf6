import { useTranslations } from "next-intl";
import { TextField, type TextFieldProps } from "./text-field";

type FieldProps = Omit<TextFieldProps, "label" | "type"> & { label?: string };

/**
 * The authenticator app's 6-digit code: the numeric keyboard on phones, and the one-time-code
 * hint, so password managers that keep the TOTP secret can fill it in.
 */
export function AuthCodeField(props: FieldProps) {
  const t = useTranslations("common.codes");
  return (
    <TextField
      label={t("authentication")}
      dir="ltr"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      autoCapitalize="none"
      spellCheck={false}
      placeholder="123456"
      {...props}
    />
  );
}

/** A recovery code ("abcde-fghjk"): letters and digits, never corrected or capitalised by the keyboard. */
export function RecoveryCodeField(props: FieldProps) {
  const t = useTranslations("common.codes");
  return (
    <TextField
      label={t("recovery")}
      dir="ltr"
      type="text"
      autoComplete="off"
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      placeholder="abcde-fghjk"
      {...props}
    />
  );
}
