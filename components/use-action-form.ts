"use client";

import { startTransition, useActionState, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import type { FieldErrors, UseFormRegisterReturn } from "react-hook-form";
import type { $ZodType } from "zod/v4/core";
import { useConfirmItsYou } from "@/components/confirm-its-you-context";
// Types only: form-control is fetched on the form's first use, form-state is server code.
import type { FormControl, FormControlState } from "@/components/form-control";
import type { ErrorWords } from "@/lib/i18n/words";
import type { FormState } from "@/lib/web/form-state";

export type FormAction<Data = unknown> = (previous: FormState<Data>, formData: FormData) => Promise<FormState<Data>>;

export const IDLE_STATE: FormState<never> = { status: "idle" };

const NOTHING_EDITED: ReadonlySet<string> = new Set();

/**
 * useActionState, for actions that may need a fresh proof of the session: when a result says so
 * (`reauthenticate`), the page's "Confirm it's you" step opens, and once the person confirmed,
 * the FormData they sent goes again by itself. It is kept here, in the browser: what they typed
 * (a password, a code) never comes back from the server. While the step is open the result shows
 * nothing; closed without confirming, its message ("Confirm it's you first.") shows.
 * `send(formData)` records and dispatches; a form without JavaScript posts to `dispatch`.
 */
export function useConfirmedActionState<Data = unknown>(action: FormAction<Data>) {
  const [state, dispatch, pending] = useActionState<FormState<Data>, FormData>(action, IDLE_STATE);
  const confirmation = useConfirmItsYou();
  const sent = useRef<{ formData: FormData; focused: Element | null } | null>(null);
  const asked = useRef<FormState<Data> | null>(null);
  const [declined, setDeclined] = useState<FormState<Data> | null>(null);

  const send = useCallback(
    (formData: FormData) => {
      // And where the person was (the submit button), for focus to come back to after the step.
      sent.current = { formData, focused: document.activeElement };
      startTransition(() => dispatch(formData));
    },
    [dispatch],
  );

  useEffect(() => {
    // What was typed is kept no longer than it may be needed.
    if (!state.reauthenticate) sent.current = null;
    // Once per result (effects run twice in development).
    if (!state.reauthenticate || !confirmation || asked.current === state) return;
    asked.current = state;
    const last = sent.current;
    // Sent before the page's scripts ran: nothing here to send again.
    const confirmed = last ? confirmation.confirm(last.focused instanceof HTMLElement ? last.focused : null) : Promise.resolve(false);
    void confirmed.then((ok) => (ok && last ? send(last.formData) : setDeclined(state)));
  }, [state, confirmation, send]);

  const asking = !!state.reauthenticate && !!confirmation && declined !== state;
  const shown = useMemo<FormState<Data>>(() => (asking ? { ...state, status: "idle", message: undefined } : state), [asking, state]);
  return [shown, send, pending, dispatch] as const;
}

/** A form's schema, or a loader for it (`() => import(…)`): then zod comes when the form is first used. */
export type SchemaSource = $ZodType | (() => Promise<$ZodType>);

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
type FieldEvent = { target: EventTarget | null; type: string };

/** What `register(name)` gives a field, to spread onto its input. */
export interface RegisteredField {
  name: string;
  ref: (input: Input | null) => void;
  onChange: (event: FieldEvent) => void;
  onBlur: (event: FieldEvent) => void;
}

/**
 * The form's fields, with react-hook-form (and zod, and the form's schema) attached on the first
 * `load()`: the form's first focus, pointer-down or key, not the page load. Until then the inputs
 * are plain uncontrolled inputs; react-hook-form then registers the very same elements and reads
 * what was typed into them, so no value, caret or focus is lost. A blur before it came is replayed.
 */
function lazyFormControl(source: SchemaSource, defaults: Record<string, string>, onState: (state: FormControlState) => void, t: ErrorWords) {
  const inputs = new Map<string, Input>();
  const fields = new Map<string, RegisteredField>();
  const attached = new Map<string, UseFormRegisterReturn>();
  const blurred = new Set<string>();
  const earlyValues = new Map<string, unknown>();
  let control: FormControl | undefined;
  let loading: Promise<FormControl> | undefined;

  const attach = (name: string) => {
    const registered = control!.register(name);
    attached.set(name, registered);
    const input = inputs.get(name);
    if (input) registered.ref(input);
  };

  const register = (name: string): RegisteredField => {
    let field = fields.get(name);
    if (!field) {
      field = {
        name,
        ref: (input) => {
          if (input) inputs.set(name, input);
          else inputs.delete(name);
          attached.get(name)?.ref(input);
        },
        onChange: (event) => void attached.get(name)?.onChange(event),
        onBlur: (event) => {
          const registered = attached.get(name);
          if (registered) void registered.onBlur(event);
          else blurred.add(name);
        },
      };
      fields.set(name, field);
      if (control) attach(name);
    }
    return field;
  };

  const load = () =>
    (loading ??= Promise.all([import("@/components/form-control"), typeof source === "function" ? source() : source]).then(
      ([{ formControl }, schema]) => {
        control = formControl(schema, defaults, onState, t);
        for (const name of fields.keys()) attach(name);
        for (const [name, value] of earlyValues) control.setValue(name, value);
        for (const name of blurred) {
          const input = inputs.get(name);
          if (input) void attached.get(name)?.onBlur({ target: input, type: "blur" });
        }
        return control;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    ));

  return {
    register,
    load,
    focus: (name: string) => inputs.get(name)?.focus(),
    setValue: (name: string, value: unknown, options?: { shouldValidate?: boolean }) => {
      if (control) control.setValue(name, value, options);
      else earlyValues.set(name, value);
    },
    // keepFieldsRef: the inputs stay registered (react-hook-form's own register would run again on
    // the next render; ours ran once). Without react-hook-form (its fetch failed) the <form> is reset.
    reset: () => {
      if (control) control.reset(undefined, { keepFieldsRef: true });
      else [...inputs.values()][0]?.form?.reset();
    },
    resetField: (name: string) => {
      const input = inputs.get(name);
      if (control) control.resetField(name);
      else if (input) input.value = defaults[name] ?? "";
    },
  };
}

/**
 * A form whose fields react-hook-form validates in the browser (with the same zod schema the
 * server action runs again) and whose submission goes to a server action through useActionState.
 * `schema` is read once, at mount. react-hook-form itself comes with the form's first use.
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
  const [state, send, pending, dispatch] = useConfirmedActionState(action);
  // Without JavaScript the page comes back rendered with the action's state: keep what was typed.
  const [initial] = useState<Record<string, string>>(() => ({ ...defaults, ...state.values }));
  const [formState, setFormState] = useState<FormControlState>({ errors: {}, isSubmitted: false });
  const t = useTranslations("errors");
  const [control] = useState(() => lazyFormControl(schema, initial, setFormState, t));
  const [edited, setEdited] = useState<{ state: FormState<Data>; names: ReadonlySet<string> }>({ state, names: NOTHING_EDITED });
  const editedNames = edited.state === state ? edited.names : NOTHING_EDITED;

  // Take the person to the first field the server rejected.
  const { focus } = control;
  useEffect(() => {
    const first = Object.keys(state.fieldErrors ?? {})[0];
    if (first) focus(first);
  }, [state, focus]);

  const load = () => void control.load().catch(() => {});

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (pending) return;
    const element = event.currentTarget;
    const sendForm = () => send(new FormData(element));
    // Without the validation code (offline, a failed deploy) the form is sent unchecked: the server action checks everything.
    void control.load().then((loaded) => loaded.handleSubmit(sendForm, onInvalid)(), sendForm);
  };

  const onChange = (event: FormEvent<HTMLFormElement>) => {
    const name = (event.target as HTMLInputElement).name;
    if (name && state.fieldErrors?.[name] && !editedNames.has(name)) {
      setEdited({ state, names: new Set([...editedNames, name]) });
    }
  };

  /** The message to show under a field, if any. */
  const errorFor = (name: string): string | undefined => {
    const client = formState.errors[name]?.message;
    if (typeof client === "string" && client) return client;
    if (editedNames.has(name)) return undefined;
    return state.fieldErrors?.[name]?.join(" ") || undefined;
  };

  const { register, setValue, reset, resetField } = control;
  return {
    state,
    pending,
    form: { register, setValue, reset, resetField, formState },
    initial,
    errorFor,
    /** Spread onto the <form>. */
    formProps: { action: dispatch, onSubmit, onChange, onFocus: load, onPointerDown: load, onKeyDown: load, noValidate: true },
  };
}
