/**
 * The error line under a field. It is always rendered with a reserved line of height, so an error
 * appearing or going away does not move the rest of the form, and it is a polite live region, so
 * the error is read out when it appears (the field also points at it with aria-describedby).
 */
export function FieldError({ id, error }: { id: string; error?: string }) {
  return (
    <p id={id} aria-live="polite" className="mb-2 min-h-5 text-sm leading-5 text-red-700 dark:text-red-400">
      {error ? (
        <span className="flex items-start gap-1.5">
          <svg className="mt-0.5 size-4 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
            <path
              fillRule="evenodd"
              d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
              clipRule="evenodd"
            />
          </svg>
          <span>{error}</span>
        </span>
      ) : null}
    </p>
  );
}
