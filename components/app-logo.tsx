/** The app's mark: a keyhole in a rounded square. Inline SVG, so it needs no request and no CSP rule. */
export function AppLogo({ className = "size-8" }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" className="fill-indigo-600" />
      <circle cx="16" cy="13" r="4.5" fill="white" />
      <path d="M13.5 15.5h5l1.5 8.5h-8z" fill="white" />
    </svg>
  );
}
