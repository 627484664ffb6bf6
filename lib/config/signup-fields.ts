/**
 * SIGNUP_FIELDS: what the sign-up page asks for besides e-mail and password. A comma-separated
 * list of `name`, `mobile`, `dob` and `role`; a trailing `?` makes a field optional, e.g.
 * `name,mobile?,dob?,role`. Empty: e-mail and password only. The JSON API keeps its own
 * documented fields whatever this says. Browser-safe: the sign-up form builds its schema from it.
 */
export const SIGNUP_FIELD_NAMES = ["name", "mobile", "dob", "role"] as const;
export type SignupFieldName = (typeof SIGNUP_FIELD_NAMES)[number];

/** The fields asked for, each required or not; a field that is absent is not asked for. */
export type SignupFields = Partial<Record<SignupFieldName, "required" | "optional">>;

export const DEFAULT_SIGNUP_FIELDS = "name";

const isFieldName = (s: string): s is SignupFieldName => (SIGNUP_FIELD_NAMES as readonly string[]).includes(s);

/** The setting's value as SignupFields, or the problem with it (for the configuration error). */
export function parseSignupFields(value: string): { fields: SignupFields } | { problem: string } {
  const fields: SignupFields = {};
  for (const entry of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const optional = entry.endsWith("?");
    const name = (optional ? entry.slice(0, -1) : entry).trim().toLowerCase();
    if (!isFieldName(name)) {
      return { problem: `SIGNUP_FIELDS: "${entry}" is not one of ${SIGNUP_FIELD_NAMES.join(", ")} (a trailing ? makes one optional)` };
    }
    if (fields[name]) return { problem: `SIGNUP_FIELDS: "${name}" is named twice` };
    fields[name] = optional ? "optional" : "required";
  }
  return { fields };
}
