"use client";

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

interface Role {
  id: number;
  name: string;
  isDefault: boolean;
}

export function SignUpForm({ roles, passwordMinLength }: { roles: Role[]; passwordMinLength: number }) {
  // Fetched with zod on the form's first focus, so the page itself does not wait for them.
  const loadSchema = () => import("@/lib/validation/forms").then((forms) => forms.signUpFormSchema(passwordMinLength));
  // A choice of one is no choice: the server gives the default role when none is sent.
  const showRoles = roles.length > 1;
  const defaultRole = roles.find((r) => r.isDefault) ?? roles[0];
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(
    loadSchema,
    signUpAction,
    showRoles && defaultRole ? { roleId: String(defaultRole.id) } : {},
  );
  const { register } = form;

  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <div className="flex flex-col gap-1">
        <TextField label="Name" autoComplete="name" defaultValue={initial.name} error={errorFor("name")} {...register("name")} />
        <EmailField
          defaultValue={initial.email}
          error={errorFor("email")}
          {...register("email")}
        />
        <NewPasswordField
          label="Password"
          minLength={passwordMinLength}
          error={errorFor("password")}
          {...register("password")}
        />
        <PasswordField label="Confirm password" autoComplete="new-password" error={errorFor("confirmPassword")} {...register("confirmPassword")} />
        <div className="grid gap-x-4 gap-y-1 sm:grid-cols-2">
          <MobileField
            defaultValue={initial.mobile}
            error={errorFor("mobile")}
            {...register("mobile")}
          />
          <DateOfBirthField
            defaultValue={initial.dob}
            error={errorFor("dob")}
            {...register("dob")}
          />
        </div>
        {showRoles && (
          <SelectField label="Role" defaultValue={initial.roleId} error={errorFor("roleId")} {...register("roleId")}>
            {roles.map((role) => (
              <option key={role.id} value={role.id}>
                {role.name.charAt(0).toUpperCase() + role.name.slice(1)}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <SubmitButton pending={pending} pendingText="Creating your account…" className="mt-2">
        Create account
      </SubmitButton>
    </form>
  );
}
