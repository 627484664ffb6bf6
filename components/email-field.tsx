import { TextField, type TextFieldProps } from "./text-field";

/** The e-mail field every form shares: the right keyboard, no autocorrect, the password manager's hint. */
export function EmailField(props: Omit<TextFieldProps, "label" | "type"> & { label?: string }) {
  return (
    <TextField
      label="Email"
      type="email"
      autoComplete="email"
      inputMode="email"
      autoCapitalize="none"
      spellCheck={false}
      {...props}
    />
  );
}
