import { useTranslations } from "next-intl";
import { TextField, type TextFieldProps } from "./text-field";

/** The e-mail field every form shares: the right keyboard, no autocorrect, the password manager's hint. */
export function EmailField(props: Omit<TextFieldProps, "label" | "type"> & { label?: string }) {
  const t = useTranslations("common");
  return (
    <TextField
      label={t("email")}
      // An address reads left to right in any language.
      dir="ltr"
      type="email"
      autoComplete="email"
      inputMode="email"
      autoCapitalize="none"
      spellCheck={false}
      {...props}
    />
  );
}
