/** Shown while the profile is read: the page's outline, so nothing jumps when it arrives. */
export default function ProfileLoading() {
  return (
    <div className="flex animate-pulse flex-col gap-8 motion-reduce:animate-none" aria-busy="true" aria-label="Loading your account">
      <div>
        <div className="h-8 w-48 rounded-lg bg-slate-200 dark:bg-slate-800" />
        <div className="mt-2 h-4 w-72 max-w-full rounded bg-slate-200 dark:bg-slate-800" />
      </div>
      {[0, 1, 2].map((i) => (
        <div key={i} className="h-56 rounded-2xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" />
      ))}
    </div>
  );
}
