import { useTranslations } from "next-intl";
import { TextField, type TextFieldProps } from "./text-field";

type FieldProps = Omit<TextFieldProps, "label" | "type">;

/** Mobile and date of birth, as signup and the profile both ask for them. */
type LabelledFieldProps = FieldProps & { label?: string };

export function MobileField(props: LabelledFieldProps) {
  const t = useTranslations("common");
  // A phone number reads left to right in any language.
  return <TextField label={t("mobile")} type="tel" inputMode="tel" autoComplete="tel" dir="ltr" {...props} />;
}

export function DateOfBirthField(props: LabelledFieldProps) {
  const t = useTranslations("common");
  return <TextField label={t("dateOfBirth")} type="date" autoComplete="bday" min="1900-01-01" {...props} />;
}
