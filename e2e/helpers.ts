// Shared steps of the browser tests: signing in, and calling the API as the signed-in user.
import { type Browser, expect, type Page, test } from "@playwright/test";

export const admin = {
  username: "admin",
  password: process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password-0001",
};

export async function signIn(page: Page, user = admin, next?: string): Promise<void> {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : "/login");
  await page.getByLabel("User name").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The first page after sign-in may compile its data on a busy machine: more than the default 5 s.
  await expect(page.getByTestId("signed-in-user")).toBeVisible({ timeout: 20_000 });
}

/** A page of its own (a separate browser context) signed in as `user`: two people side by side. */
export async function pageAs(browser: Browser, user: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const page = await context.newPage();
  await signIn(page, user);
  return page;
}

/** Calls a tRPC mutation with the page's session (superjson: the input goes under "json"). */
export async function mutate(page: Page, path: string, input: unknown): Promise<unknown> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as {
    result?: { data: { json: unknown } };
    error?: { json: { message: string } };
  };
  if (!res.ok()) throw new Error(`${path}: ${body.error?.json.message ?? res.status()}`);
  return body.result?.data.json;
}

/** Creates a user as the signed-in administrator. */
export async function createUser(
  page: Page,
  username: string,
  role: string,
  password = "Sturdy-e2e-passphrase-1",
) {
  await mutate(page, "users.create", { username, password, grants: [{ role, scope: "" }] });
  return { username, password };
}
