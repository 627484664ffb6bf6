/** A person with a key: the passkey buttons and list; decorative (the text beside it names it). */
export function PasskeyIcon({ className = "size-5" }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <circle cx="9" cy="7.5" r="3.5" />
      <path d="M3 20v-1.5A5.5 5.5 0 0 1 8.5 13h1a5.6 5.6 0 0 1 2.2.45" />
      <circle cx="17.5" cy="13.5" r="2.5" />
      <path d="M17.5 16v5M17.5 19h1.75" />
    </svg>
  );
}
