"use client";

import { useTranslations } from "next-intl";
import { useEffect, useEffectEvent, useImperativeHandle, useRef, useState, type ClipboardEvent, type KeyboardEvent, type Ref } from "react";
import { FieldError } from "./field-error";
import { inputBorder } from "./styles";

interface OtpInputProps {
  length: number;
  /** The name of the hidden input that carries the whole code in the form. */
  name: string;
  label: string;
  error?: string;
  /** Called with the code as typed so far (holes count as missing digits). */
  onChange?: (code: string) => void;
  /** Called once every box holds a digit, after the hidden input has the full code. */
  onComplete?: (code: string) => void;
  autoFocus?: boolean;
  disabled?: boolean;
  /** `focus()` goes to the first empty box (for "fix this field" after a refused submit). */
  ref?: Ref<{ focus(): void }>;
}

/**
 * One box per digit, labelled as a group. Typing moves to the next box, Backspace in an empty box
 * goes back, arrows move, and pasting (or the phone's one-time-code autofill, which types the whole
 * code into the first box) fills every box. A hidden input carries the code for the form action.
 * To clear it, give it a new `key`.
 */
export function OtpInput({ length, name, label, error, onChange, onComplete, autoFocus, disabled, ref }: OtpInputProps) {
  const t = useTranslations("common.otp");
  const [digits, setDigits] = useState<string[]>(() => Array.from({ length }, () => ""));
  const boxes = useRef<(HTMLInputElement | null)[]>([]);
  const code = digits.join("");
  const labelId = `${name}-label`;
  const errorId = `${name}-error`;

  const focusBox = (i: number) => {
    const box = boxes.current[Math.max(0, Math.min(length - 1, i))];
    box?.focus();
    box?.select();
  };

  useImperativeHandle(ref, () => ({
    focus: () => {
      const firstEmpty = digits.findIndex((d) => !d);
      focusBox(firstEmpty === -1 ? length - 1 : firstEmpty);
    },
  }));

  const update = (next: string[], focusIndex?: number) => {
    setDigits(next);
    onChange?.(next.join(""));
    if (focusIndex !== undefined) focusBox(focusIndex);
  };

  /** Writes `text`'s digits from box `from` on; a whole code always starts at the first box. */
  const fill = (from: number, text: string) => {
    const incoming = text.replace(/\D/g, "");
    if (!incoming) return;
    const start = incoming.length >= length ? 0 : from;
    const next = [...digits];
    for (let k = 0; k < incoming.length && start + k < length; k++) next[start + k] = incoming[k]!;
    update(next, Math.min(start + incoming.length, length - 1));
  };

  const onInput = (i: number, raw: string) => {
    const typed = raw.replace(/\D/g, "");
    if (typed.length === 0) {
      // Deleted (or a non-digit, which is dropped).
      const next = [...digits];
      next[i] = "";
      update(next);
    } else if (typed.length === 1) {
      const next = [...digits];
      next[i] = typed;
      update(next, i + 1);
    } else if (typed.length === 2 && typed.includes(digits[i] ?? "")) {
      // The caret was beside the old digit: keep the new one.
      const next = [...digits];
      next[i] = typed[0] === digits[i] ? typed[1]! : typed[0]!;
      update(next, i + 1);
    } else {
      fill(i, typed);
    }
  };

  const onKeyDown = (i: number, event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Backspace" && !digits[i] && i > 0) {
      event.preventDefault();
      const next = [...digits];
      next[i - 1] = "";
      update(next, i - 1);
    } else if (event.key === "ArrowLeft" && i > 0) {
      event.preventDefault();
      focusBox(i - 1);
    } else if (event.key === "ArrowRight" && i < length - 1) {
      event.preventDefault();
      focusBox(i + 1);
    } else if (event.key === "Home") {
      event.preventDefault();
      focusBox(0);
    } else if (event.key === "End") {
      event.preventDefault();
      focusBox(length - 1);
    }
  };

  const onPaste = (i: number, event: ClipboardEvent<HTMLInputElement>) => {
    event.preventDefault();
    fill(i, event.clipboardData.getData("text"));
  };

  // After the render that put the last digit in: the hidden input now holds the whole code.
  const completed = useEffectEvent((value: string) => onComplete?.(value));
  useEffect(() => {
    if (code.length === length) completed(code);
  }, [code, length]);

  return (
    <div className="flex flex-col gap-1.5">
      <span id={labelId} className="text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </span>
      {/* A code is read and typed left to right in every language, so the row of boxes is too. */}
      <div role="group" dir="ltr" aria-labelledby={labelId} aria-describedby={error ? errorId : undefined} className="flex gap-2 sm:gap-3 rtl:justify-end">
        {digits.map((digit, i) => (
          <input
            key={i}
            ref={(el) => {
              boxes.current[i] = el;
            }}
            type="text"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete={i === 0 ? "one-time-code" : "off"}
            aria-label={t("digit", { position: i + 1, length })}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            // The code is the one thing to do on this page: start in the first box.
            autoFocus={autoFocus && i === 0}
            disabled={disabled}
            value={digit}
            onChange={(e) => onInput(i, e.target.value)}
            onKeyDown={(e) => onKeyDown(i, e)}
            onPaste={(e) => onPaste(i, e)}
            onFocus={(e) => e.target.select()}
            className={`h-14 w-full max-w-14 min-w-0 flex-1 rounded-lg border bg-white text-center font-mono text-2xl font-semibold text-slate-900 tabular-nums shadow-xs caret-indigo-600 dark:bg-slate-900 dark:text-white ${inputBorder(!!error)}`}
          />
        ))}
      </div>
      <input type="hidden" name={name} value={code} />
      <FieldError id={errorId} error={error} />
    </div>
  );
}
