import Link from "next/link";

export default function Home() {
  const appName = process.env.APP_NAME ?? "Auth";
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 px-6">
      <h1 className="text-3xl font-semibold tracking-tight">{appName}</h1>
      <p className="text-slate-600 dark:text-slate-400">
        Accounts for your apps: sign up, verify your e-mail, sign in.
      </p>
      <nav className="flex gap-3">
        <Link className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700" href="/login">
          Sign in
        </Link>
        <Link
          className="rounded-lg border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-900"
          href="/signup"
        >
          Create account
        </Link>
      </nav>
    </main>
  );
}
