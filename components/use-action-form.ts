"use client";

import { startTransition, useActionState, useEffect, useState, type FormEvent } from "react";
import { get, useForm, type FieldErrors, type FieldValues, type Resolver } from "react-hook-form";
import type { $ZodType } from "zod/v4/core";
// A type only: the module itself is server code.
import type { FormState } from "@/lib/web/form-state";

export type FormAction<Data = unknown> = (previous: FormState<Data>, formData: FormData) => Promise<FormState<Data>>;

export const IDLE_STATE: FormState<never> = { status: "idle" };

const NOTHING_EDITED: ReadonlySet<string> = new Set();

/** A form's schema, or a loader for it (`() => import(…)`): then zod comes when the form is first used. */
export type SchemaSource = $ZodType | (() => Promise<$ZodType>);

/**
 * react-hook-form's resolver for `source`, with zod and the zod resolver fetched on the first
 * `load()` (the form's first focus) rather than with the page: people who sign in with Google or a
 * passkey never need them. Resolvers may be async, so an early blur or submit simply waits.
 */
function lazyZodResolver(source: SchemaSource) {
  let loading: Promise<Resolver<FieldValues>> | undefined;
  const load = () =>
    (loading ??= Promise.all([typeof source === "function" ? source() : source, import("@hookform/resolvers/zod")]).then(
      ([schema, { zodResolver }]) => zodResolver(schema as $ZodType<unknown, FieldValues>) as Resolver<FieldValues>,
    ));
  const resolver: Resolver<FieldValues> = async (values, context, options) => {
    const resolve = await load().catch(() => {
      loading = undefined;
      return null;
    });
    // Without the validation code (offline, a failed deploy) the server action still checks everything.
    return resolve ? resolve(values, context, options) : { values, errors: {} };
  };
  return { resolver, load };
}

/**
 * A form whose fields react-hook-form validates in the browser (with the same zod schema the
 * server action runs again) and whose submission goes to a server action through useActionState.
 * `schema` is read once, at mount.
 *
 * The form is sent as the browser would send it (`new FormData(form)`, hidden inputs included),
 * in a transition, rather than through `<form action>` directly: React resets a form after its
 * action, which would wipe what the person typed on every server-side error. Before hydration
 * the `action` attribute still works, so the form submits without JavaScript too.
 *
 * Errors come from both sides: the browser's (react-hook-form) take precedence; the server's
 * (`state.fieldErrors`) stay until the person edits that field.
 */
export function useActionForm<Data = unknown>(
  schema: SchemaSource,
  action: FormAction<Data>,
  defaults: Record<string, string> = {},
  /** After a submit the browser refused; react-hook-form has focused the first registered field. */
  onInvalid?: (errors: FieldErrors) => void,
) {
  const [state, dispatch, pending] = useActionState(action, IDLE_STATE);
  // Without JavaScript the page comes back rendered with the action's state: keep what was typed.
  const [initial] = useState<Record<string, string>>(() => ({ ...defaults, ...state.values }));
  const [validation] = useState(() => lazyZodResolver(schema));
  const form = useForm<FieldValues>({
    resolver: validation.resolver,
    mode: "onTouched",
    defaultValues: initial,
  });
  const [edited, setEdited] = useState<{ state: FormState<Data>; names: ReadonlySet<string> }>({ state, names: NOTHING_EDITED });
  const editedNames = edited.state === state ? edited.names : NOTHING_EDITED;

  // Take the person to the first field the server rejected.
  const { setFocus } = form;
  useEffect(() => {
    const first = Object.keys(state.fieldErrors ?? {})[0];
    if (first) setFocus(first);
  }, [state, setFocus]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (pending) return;
    const element = event.currentTarget;
    void form.handleSubmit(() => {
      const data = new FormData(element);
      startTransition(() => dispatch(data));
    }, onInvalid)(event);
  };

  const onChange = (event: FormEvent<HTMLFormElement>) => {
    const name = (event.target as HTMLInputElement).name;
    if (name && state.fieldErrors?.[name] && !editedNames.has(name)) {
      setEdited({ state, names: new Set([...editedNames, name]) });
    }
  };

  /** The message to show under a field, if any. */
  const errorFor = (name: string): string | undefined => {
    const client = (get(form.formState.errors, name) as { message?: unknown } | undefined)?.message;
    if (typeof client === "string" && client) return client;
    if (editedNames.has(name)) return undefined;
    return state.fieldErrors?.[name]?.join(" ") || undefined;
  };

  return {
    state,
    pending,
    form,
    initial,
    errorFor,
    /** Spread onto the <form>. */
    formProps: { action: dispatch, onSubmit, onChange, onFocus: () => void validation.load().catch(() => {}), noValidate: true },
  };
}
