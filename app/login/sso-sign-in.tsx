// The single sign-on choice under the password form: a plain link (a top-level navigation, which
// the Content-Security-Policy's form-action would not allow as a form post to another site).

export function SsoSignIn({ label, href }: { label: string; href: string }) {
  return (
    <div className="mt-6">
      <div className="flex items-center gap-3 text-xs text-zinc-500 dark:text-zinc-400">
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
        or
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      </div>
      <a
        href={href}
        className="mt-4 block w-full rounded-md border border-zinc-300 bg-white px-4 py-2 text-center text-sm font-medium text-zinc-900 shadow-sm hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100 dark:hover:bg-zinc-900"
      >
        {label}
      </a>
    </div>
  );
}

export function SsoError({ message }: { message: string }) {
  return (
    <p
      role="alert"
      data-testid="sso-error"
      className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/50 dark:text-red-300"
    >
      {message}
    </p>
  );
}
