"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { CheckboxField } from "@/components/checkbox-field";
import { CopyButton } from "@/components/copy-button";
import { FormMessage } from "@/components/form-message";
import { SelectField } from "@/components/select-field";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { TextAreaField } from "@/components/text-area-field";
import { TextField } from "@/components/text-field";
import { useActionForm } from "@/components/use-action-form";
import { NewClientFormSchema, type ClientType } from "@/lib/validation/forms";
import { addClientAction } from "./actions";

type Created = { client_id: string; client_secret?: string };

/**
 * A new app: its name, type and URIs. Once added, its credentials take the form's place until
 * "Done": the secret is shown this once (it lives in this page's memory only, never in a page the
 * server renders again).
 */
export function AddAppForm() {
  const t = useTranslations("admin.apps");
  const { state, pending, form, errorFor, formProps } = useActionForm<Created>(NewClientFormSchema, addClientAction, { type: "confidential" });
  const { register, reset } = form;
  const [type, setType] = useState<ClientType>("confidential");
  // The result whose credentials were put away with "Done".
  const [done, setDone] = useState<typeof state | null>(null);
  const created = state.status === "success" && state !== done ? state.data : undefined;
  const nameRef = useRef<HTMLInputElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Added: the form starts over (shown again after "Done"), and focus goes to what was added.
  const [settled, setSettled] = useState(state);
  if (state !== settled) {
    setSettled(state);
    if (state.status === "success") setType("confidential");
  }
  useEffect(() => {
    if (state.status !== "success") return;
    reset();
    headingRef.current?.focus();
  }, [state, reset]);

  if (created) {
    return (
      <div className="flex flex-col gap-4">
        <h3 ref={headingRef} tabIndex={-1} className="text-base font-semibold text-slate-900 outline-none dark:text-white">
          {state.message}
        </h3>
        <p className={`text-sm ${mutedText}`}>{created.client_secret ? t("secretOnce") : t("noSecret")}</p>
        <dl className="flex flex-col gap-4">
          <Credential term={t("clientId")} value={created.client_id} copyLabel={t("copyClientId")} />
          {created.client_secret && <Credential term={t("clientSecret")} value={created.client_secret} copyLabel={t("copySecret")} />}
        </dl>
        <div>
          <button
            type="button"
            onClick={() => {
              setDone(state);
              // The form comes back: carry on from its first field.
              requestAnimationFrame(() => nameRef.current?.focus());
            }}
            className={buttonStyles.primary}
          >
            {t("done")}
          </button>
        </div>
      </div>
    );
  }

  const nameField = register("name");
  return (
    <form {...formProps} className="flex flex-col">
      <FormMessage status={state.status === "success" ? "idle" : state.status} message={state.message} />
      <div className="grid gap-x-6 md:grid-cols-2">
        <TextField
          id="app-name"
          label={t("name")}
          autoComplete="off"
          maxLength={150}
          hint={t("nameHint")}
          error={errorFor("name")}
          {...nameField}
          ref={(input) => {
            nameRef.current = input;
            nameField.ref(input);
          }}
        />
        <SelectField
          id="app-type"
          label={t("type")}
          hint={type === "public" ? t("typePublicHint") : t("typeConfidentialHint")}
          error={errorFor("type")}
          {...register("type")}
          defaultValue="confidential"
          onChange={(event) => {
            setType(event.target.value === "public" ? "public" : "confidential");
            register("type").onChange(event);
          }}
        >
          <option value="confidential">{t("typeConfidential")}</option>
          <option value="public">{t("typePublic")}</option>
        </SelectField>
      </div>
      <TextAreaField
        id="app-redirect-uris"
        label={t("redirectUris")}
        rows={3}
        // Addresses read left to right in every language, as the e-mail field's do.
        dir="ltr"
        spellCheck={false}
        autoCapitalize="off"
        placeholder="https://app.example.com/callback"
        hint={t("redirectUrisHint")}
        error={errorFor("redirectUris")}
        {...register("redirectUris")}
      />
      <TextAreaField
        id="app-post-logout-uris"
        label={t("postLogoutLabel")}
        rows={2}
        dir="ltr"
        spellCheck={false}
        autoCapitalize="off"
        hint={t("postLogoutHint")}
        error={errorFor("postLogoutRedirectUris")}
        {...register("postLogoutRedirectUris")}
      />
      <CheckboxField
        id="app-client-credentials"
        label={t("clientCredentials")}
        hint={t("clientCredentialsHint")}
        // A public app has no secret to prove itself with.
        disabled={type === "public"}
        error={errorFor("clientCredentials")}
        {...register("clientCredentials")}
      />
      <CheckboxField id="app-first-party" label={t("firstPartyLabel")} hint={t("firstPartyHint")} error={errorFor("firstParty")} {...register("firstParty")} />
      <div>
        <SubmitButton pending={pending} pendingText={t("adding")} fullWidth={false} className="w-full sm:w-auto">
          {t("add")}
        </SubmitButton>
      </div>
    </form>
  );
}

function Credential({ term, value, copyLabel }: { term: string; value: string; copyLabel: string }) {
  return (
    <div className="flex flex-col gap-1.5">
      <dt className="text-sm font-medium text-slate-800 dark:text-slate-200">{term}</dt>
      <dd className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code className="min-w-0 flex-1 rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm wrap-anywhere text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100">
          <bdi dir="ltr">{value}</bdi>
        </code>
        <CopyButton text={value} label={copyLabel} className="min-h-9 shrink-0 py-1.5" />
      </dd>
    </div>
  );
}
