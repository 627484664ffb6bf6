"use client";

import { useTranslations } from "next-intl";
import { DateOfBirthField, MobileField } from "@/components/profile-fields";
import { FormMessage } from "@/components/form-message";
import { NewPasswordField } from "@/components/new-password-field";
import { PasswordField } from "@/components/password-field";
import { SelectField } from "@/components/select-field";
import { SubmitButton } from "@/components/submit-button";
import { EmailField } from "@/components/email-field";
import { TextField } from "@/components/text-field";
import { useActionForm } from "@/components/use-action-form";
import { signUpAction } from "@/app/(auth)/actions";
import type { SignupFields } from "@/lib/config/signup-fields";

interface Role {
  id: number;
  name: string;
  isDefault: boolean;
}

/**
 * E-mail and password, and what SIGNUP_FIELDS asks for (`fields`): an optional field says so in
 * its label, and the role menu lists the roles a person may choose for themselves.
 */
export function SignUpForm({ fields, roles, passwordMinLength }: { fields: SignupFields; roles: Role[]; passwordMinLength: number }) {
  const t = useTranslations("auth.signup");
  const common = useTranslations("common");
  // Fetched with zod on the form's first focus, so the page itself does not wait for them.
  const loadSchema = () => import("@/lib/validation/forms").then((forms) => forms.signUpFormSchema(passwordMinLength, fields));
  const showRoles = !!fields.role && roles.length > 0;
  // A required role starts on the default; an optional one on "Choose…" (none: the server gives the default).
  const defaultRole = fields.role === "required" ? (roles.find((r) => r.isDefault) ?? roles[0]) : undefined;
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(
    loadSchema,
    signUpAction,
    showRoles && defaultRole ? { roleId: String(defaultRole.id) } : {},
  );
  const { register } = form;
  // The fixed roles have words in every language; a role added later shows its own name.
  const roleName = (name: string) => (t.has(`roles.${name}` as "roles.user") ? t(`roles.${name}` as "roles.user") : name.charAt(0).toUpperCase() + name.slice(1));
  const label = (field: keyof SignupFields, text: string) => (fields[field] === "optional" ? common("optional", { label: text }) : text);

  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <div className="flex flex-col gap-1">
        {fields.name && (
          <TextField label={label("name", t("name"))} autoComplete="name" defaultValue={initial.name} error={errorFor("name")} {...register("name")} />
        )}
        <EmailField defaultValue={initial.email} error={errorFor("email")} {...register("email")} />
        <NewPasswordField label={t("password")} minLength={passwordMinLength} error={errorFor("password")} {...register("password")} />
        <PasswordField label={t("confirmPassword")} autoComplete="new-password" error={errorFor("confirmPassword")} {...register("confirmPassword")} />
        {(fields.mobile || fields.dob) && (
          <div className={`grid gap-x-4 gap-y-1 ${fields.mobile && fields.dob ? "sm:grid-cols-2" : ""}`}>
            {fields.mobile && (
              <MobileField
                label={label("mobile", common("mobile"))}
                hint={t("mobileHint")}
                defaultValue={initial.mobile}
                error={errorFor("mobile")}
                {...register("mobile")}
              />
            )}
            {fields.dob && (
              <DateOfBirthField label={label("dob", common("dateOfBirth"))} defaultValue={initial.dob} error={errorFor("dob")} {...register("dob")} />
            )}
          </div>
        )}
        {showRoles && (
          <SelectField label={label("role", t("role"))} defaultValue={initial.roleId ?? ""} error={errorFor("roleId")} {...register("roleId")}>
            {fields.role === "optional" && <option value="">{common("choose")}</option>}
            {roles.map((role) => (
              <option key={role.id} value={role.id}>
                {roleName(role.name)}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <SubmitButton pending={pending} pendingText={t("pending")} className="mt-2">
        {t("submit")}
      </SubmitButton>
    </form>
  );
}
