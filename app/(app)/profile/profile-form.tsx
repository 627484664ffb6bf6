"use client";

import { useTranslations } from "next-intl";
import { DateOfBirthField, MobileField } from "@/components/profile-fields";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { TextField } from "@/components/text-field";
import { useActionForm } from "@/components/use-action-form";
import { updateProfileAction } from "./actions";
import { ProfileFormSchema } from "@/lib/validation/forms";

export function ProfileForm({ name, mobile, dob }: { name: string; mobile: string; dob: string }) {
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(ProfileFormSchema, updateProfileAction, {
    name,
    mobile,
    dob,
  });
  const { register } = form;
  const t = useTranslations("account");
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <div className="grid gap-x-4 gap-y-1 sm:grid-cols-2">
        <TextField label={t("details.name")} autoComplete="name" className="sm:col-span-2" defaultValue={initial.name} error={errorFor("name")} {...register("name")} />
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
      <div className="mt-1 flex justify-end">
        <SubmitButton pending={pending} pendingText={t("actions.saving")} fullWidth={false} className="w-full sm:w-auto">
          {t("details.save")}
        </SubmitButton>
      </div>
    </form>
  );
}
