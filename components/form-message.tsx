import type { ReactNode } from "react";

/**
 * A message for a whole form or page. Errors are role="alert" (announced at once), everything
 * else role="status" (announced politely). Both regions are always rendered, empty when there is
 * nothing to say, because screen readers announce changes to live regions that already exist
 * more reliably than regions that appear with their content.
 */
export function FormMessage({
  status,
  message,
  children,
}: {
  status: "idle" | "error" | "success" | "info";
  message?: string;
  children?: ReactNode;
}) {
  const content =
    message || children ? (
      <>
        {message}
        {children}
      </>
    ) : null;
  return (
    <>
      <div role="status">{content && status !== "error" && status !== "idle" ? <Notice tone={status}>{content}</Notice> : null}</div>
      <div role="alert">{content && status === "error" ? <Notice tone="error">{content}</Notice> : null}</div>
    </>
  );
}

const TONES = {
  error: "border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950/60 dark:text-red-200",
  success: "border-green-200 bg-green-50 text-green-800 dark:border-green-900 dark:bg-green-950/60 dark:text-green-200",
  info: "border-indigo-200 bg-indigo-50 text-indigo-900 dark:border-indigo-900 dark:bg-indigo-950/60 dark:text-indigo-100",
} as const;

/** The coloured box itself, for server-rendered notices that need no live region (page load). */
export function Notice({ tone, children }: { tone: keyof typeof TONES; children: ReactNode }) {
  return (
    <div className={`mb-5 flex gap-2.5 rounded-lg border px-3.5 py-3 text-sm leading-6 ${TONES[tone]}`}>
      <NoticeIcon tone={tone} />
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}

function NoticeIcon({ tone }: { tone: keyof typeof TONES }) {
  return (
    <svg className="mt-1 size-4 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
      {tone === "error" ? (
        <path
          fillRule="evenodd"
          d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
          clipRule="evenodd"
        />
      ) : tone === "success" ? (
        <path
          fillRule="evenodd"
          d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm3.857-9.809a.75.75 0 0 0-1.214-.882l-3.483 4.79-1.88-1.88a.75.75 0 1 0-1.06 1.061l2.5 2.5a.75.75 0 0 0 1.137-.089l4-5.5Z"
          clipRule="evenodd"
        />
      ) : (
        <path
          fillRule="evenodd"
          d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-7-4a1 1 0 1 1-2 0 1 1 0 0 1 2 0ZM9 9a.75.75 0 0 0 0 1.5h.253a.25.25 0 0 1 .244.304l-.459 2.066A1.75 1.75 0 0 0 10.747 15H11a.75.75 0 0 0 0-1.5h-.253a.25.25 0 0 1-.244-.304l.459-2.066A1.75 1.75 0 0 0 9.253 9H9Z"
          clipRule="evenodd"
        />
      )}
    </svg>
  );
}
