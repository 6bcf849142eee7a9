// Single sign-on in the browser, through the sign-in pages of a real local OpenID provider.
import { expect, type Page, test } from "@playwright/test";
import { startTestProvider, type TestProvider } from "../server/testing/oidc-provider";

/** As playwright.config.ts configures Minos. */
const oidc = {
  port: Number(process.env.E2E_OIDC_PORT ?? 3219),
  clientId: "minos-e2e",
  clientSecret: process.env.E2E_OIDC_CLIENT_SECRET ?? "minos-e2e-client-secret",
  label: "Sign in with Example SSO",
};

let provider: TestProvider | undefined;

test.beforeAll(async ({ baseURL }) => {
  provider = await startTestProvider({
    port: oidc.port,
    clients: [
      {
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
        redirect_uris: [`${baseURL}/api/auth/oidc/callback`],
      },
    ],
    accounts: {
      olivia: { preferred_username: "olivia", name: "Olivia Ops", groups: ["platform-admins"] },
      otto: { preferred_username: "otto", name: "Otto Oncall", groups: ["oncall"] },
      gus: { preferred_username: "gus", name: "Gus Guest", groups: ["visitors"] },
    },
  });
});

test.afterAll(async () => {
  await provider?.close();
});

/** The provider's own pages: any login name and password, then consent. */
async function signInAtProvider(page: Page, login: string) {
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any password will do");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("single sign-on leads back to the page asked for, with the role the groups map to", async ({ page }) => {
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
  await page.getByRole("link", { name: oidc.label }).click();
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${oidc.port}/interaction/`));
  await signInAtProvider(page, "olivia");
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Olivia Ops");
  // An administrator by her group: the audit trail shows her sign-in.
  await expect(page.getByText("auth.oidc_login").first()).toBeVisible();
});

test("an operator by group sees no administration", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: oidc.label }).click();
  await signInAtProvider(page, "otto");
  await expect(page).toHaveURL(/\/fleet$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Otto Oncall");
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }),
  ).toHaveCount(0);
});

test("someone whose groups have no role in Minos is refused with a sentence saying so", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: oidc.label }).click();
  await signInAtProvider(page, "gus");
  await expect(page).toHaveURL(/\/login\?error=sso_no_role$/);
  await expect(page.getByTestId("sso-error")).toHaveText(
    "You signed in at the identity provider, but none of your groups has a role in Minos. Ask an administrator to add you to a group that does.",
  );
  await page.goto("/fleet");
  await expect(page).toHaveURL(/\/login\?next=%2Ffleet$/);
});
