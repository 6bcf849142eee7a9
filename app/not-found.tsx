// Shown for any address Minos does not know.
import Link from "next/link";

export default function NotFound() {
  return (
    <main className="grid min-h-screen place-items-center px-6">
      <div className="text-center">
        <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">This page does not exist</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          The address may be mistyped, or what it pointed to was removed.
        </p>
        <Link
          href="/fleet"
          className="mt-6 inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Go to the fleet overview
        </Link>
      </div>
    </main>
  );
}
