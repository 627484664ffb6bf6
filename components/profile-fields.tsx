import { TextField, type TextFieldProps } from "./text-field";

type FieldProps = Omit<TextFieldProps, "label" | "type">;

/** Mobile and date of birth, as signup and the profile both ask for them. */
export function MobileField(props: FieldProps) {
  return <TextField label="Mobile" type="tel" inputMode="tel" autoComplete="tel" {...props} />;
}

export function DateOfBirthField(props: FieldProps) {
  return <TextField label="Date of birth" type="date" autoComplete="bday" min="1900-01-01" {...props} />;
}
