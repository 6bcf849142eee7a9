// The sign-in page: user name and password, and single sign-on when OIDC is configured (read here,
// on the server; only the button's label and link reach the browser).
import type { Metadata } from "next";
import { Suspense } from "react";
import { oidcSettings } from "@/server/access/auth/oidc/config";
import { oidcLoginErrorMessage } from "@/server/access/auth/oidc/login-errors";
import { localPath } from "@/server/model/local-path";
import { LoginForm } from "./login-form";
import { SsoError, SsoSignIn } from "./sso-sign-in";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function LoginPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const sso = oidcSettings();
  const next = one(params.next);
  const ssoHref = `/api/auth/oidc/login${next ? `?next=${encodeURIComponent(localPath(next))}` : ""}`;
  const ssoError = oidcLoginErrorMessage(one(params.error));
  return (
    <main className="grid min-h-screen place-items-center px-6">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex items-center justify-center gap-2">
          <span
            aria-hidden
            className="grid size-9 place-items-center rounded-md bg-indigo-600 text-lg font-bold text-white"
          >
            M
          </span>
          <span className="text-xl font-semibold tracking-tight">Minos</span>
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          <h1 className="text-lg font-semibold">Sign in</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            to the control plane of your Talos fleet.
          </p>
          {ssoError ? <SsoError message={ssoError} /> : null}
          <Suspense>
            <LoginForm />
          </Suspense>
          {sso ? <SsoSignIn label={sso.label} href={ssoHref} /> : null}
        </div>
      </div>
    </main>
  );
}
