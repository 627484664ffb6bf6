/**
 * Class lists shared by the form controls, so every input and button looks and behaves alike.
 * Colours are chosen for WCAG AA in both schemes: text ≥ 4.5:1, borders of controls ≥ 3:1
 * (slate-500 on white, slate-500 on slate-900), and indigo-600 under white text (6.3:1) in both.
 */

export const inputBase =
  "block w-full rounded-lg border bg-white px-3 py-2.5 text-base text-slate-900 shadow-xs transition-colors " +
  "placeholder:text-slate-500 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-500 " +
  "dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-400 dark:disabled:bg-slate-800 " +
  "sm:text-sm";

export const inputBorder = (invalid: boolean) =>
  invalid
    ? "border-red-600 dark:border-red-400"
    : "border-slate-500 hover:border-slate-600 dark:border-slate-500 dark:hover:border-slate-400";

const buttonBase =
  "inline-flex min-h-11 items-center justify-center gap-2 rounded-lg px-4 py-2.5 text-sm font-semibold " +
  "transition-colors disabled:cursor-not-allowed disabled:opacity-70";

export const buttonStyles = {
  primary: `${buttonBase} bg-indigo-600 text-white shadow-sm hover:bg-indigo-700 disabled:hover:bg-indigo-600`,
  secondary:
    `${buttonBase} border border-slate-300 bg-white text-slate-900 shadow-xs hover:bg-slate-50 ` +
    "dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800",
  danger:
    `${buttonBase} border border-red-300 bg-white text-red-700 hover:bg-red-50 ` +
    "dark:border-red-900 dark:bg-slate-900 dark:text-red-300 dark:hover:bg-red-950",
  /** The last step of something that cannot be undone (delete the account, remove a passkey). */
  destructive: `${buttonBase} bg-red-600 text-white shadow-sm hover:bg-red-700 disabled:hover:bg-red-600`,
  /** A button that reads as a link (resend, per-session sign out). */
  link:
    "inline-flex items-center gap-1 rounded text-sm font-semibold text-indigo-700 underline-offset-4 hover:underline " +
    "disabled:cursor-not-allowed disabled:text-slate-600 disabled:no-underline dark:text-indigo-300 dark:disabled:text-slate-400",
} as const;

export const linkStyle =
  "font-semibold text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300";

export const mutedText = "text-slate-600 dark:text-slate-400";
