/** A console page's heading and the sentence under it, as the account page has them. */
export function PageTitle({ title, intro }: { title: string; intro: string }) {
  return (
    <div>
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{title}</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{intro}</p>
    </div>
  );
}
