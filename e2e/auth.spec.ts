// Signing in and out, roles in the UI, lockout, and API tokens used from a script.
import { expect, test } from "@playwright/test";
import { shot, withDb } from "./database";
import { admin, createUser, signIn } from "./helpers";

test("a page needs a signed-in user, and sign-in leads back to it; sign-out ends the session", async ({
  page,
}) => {
  await page.goto("/machines");
  await expect(page).toHaveURL(/\/login\?next=%2Fmachines$/);
  await page.getByLabel("User name").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/machines$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Administrator");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/fleet");
  await expect(page).toHaveURL(/\/login\?next=%2Ffleet$/);
});

test("a sign-in link cannot send the browser to another site afterwards", async ({ page }) => {
  for (const next of ["/%09/127.0.0.1:9/pwned", "/%0a/127.0.0.1:9/pwned", "//127.0.0.1:9/pwned"]) {
    await page.goto(`/login?next=${next}`);
    await page.getByLabel("User name").fill(admin.username);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/fleet$/);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
  }
});

test("a wrong password is refused without saying whether the user exists", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("User name").fill("nobody-here");
  await page.getByLabel("Password").fill("whatever-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("The user name or password is not right.");
});

test("a viewer sees no admin pages and no administration controls", async ({ page, browser }) => {
  await signIn(page);
  const viewer = await createUser(page, "vera", "viewer");
  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer);
  const nav = viewerPage.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Fleet" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Audit" })).toHaveCount(0);
  await viewerPage.goto("/audit");
  await expect(viewerPage.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  await viewerPage.goto("/settings");
  await expect(viewerPage.getByRole("region", { name: "API tokens" })).toBeVisible();
  await expect(viewerPage.getByRole("region", { name: "Users" })).toHaveCount(0);
  await expect(viewerPage.getByRole("button", { name: "Create user" })).toHaveCount(0);
  // The server refuses what the page does not offer.
  const res = await viewerPage.request.post("/api/trpc/users.create", {
    data: { json: { username: "eve", password: "eve-password-123", grants: [{ role: "admin" }] } },
  });
  expect(res.status()).toBe(403);
  expect(JSON.stringify(await res.json())).toContain("This needs the admin role.");
  await context.close();
});

test("an administrator cannot make a site-scoped admin: the form says admin is fleet-wide", async ({
  page,
}) => {
  await signIn(page);
  await page.goto("/settings");
  const users = page.getByRole("region", { name: "Users" });
  const name = `eu-admin-${Date.now().toString(36)}`;
  await users.getByLabel("User name").fill(name);
  await users.getByLabel("Initial password (12+ characters)").fill("eu-admin-password-1");
  await users.getByRole("checkbox", { name: "admin" }).check();
  await users.getByLabel(/^Scope/).fill("site:eu/*");
  await expect(users.getByRole("alert")).toHaveText(
    "Admin is always fleet-wide: clear the scope, or give operator and approver for that scope.",
  );
  await expect(users.getByRole("button", { name: "Create user" })).toBeDisabled();
  await shot(page, "settings-admin-scope");
  // Operator and approver for the site is what the form offers instead; it is created.
  await users.getByRole("checkbox", { name: "admin" }).uncheck();
  await users.getByRole("checkbox", { name: "viewer" }).uncheck();
  await users.getByRole("checkbox", { name: "operator" }).check();
  await users.getByRole("checkbox", { name: "approver" }).check();
  await expect(users.getByRole("alert")).toHaveCount(0);
  await users.getByRole("button", { name: "Create user" }).click();
  const row = users.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("operator (site:eu/*)");
  await expect(row).toContainText("approver (site:eu/*)");
  // The form starts over for the next user: no roles or scope carried over from this one.
  await expect(users.getByLabel("User name")).toHaveValue("");
  await expect(users.getByRole("checkbox", { name: "viewer" })).toBeChecked();
  await expect(users.getByRole("checkbox", { name: "operator" })).not.toBeChecked();
  await expect(users.getByRole("checkbox", { name: "approver" })).not.toBeChecked();
  await expect(users.getByLabel(/^Scope/)).toHaveValue("");
});

test("repeated failed sign-ins lock the user out from that address, even against the right password", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const user = await createUser(page, "lou", "operator");
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto("/login");
  for (let i = 0; i < 3; i++) {
    await other.getByLabel("User name").fill(user.username);
    await other.getByLabel("Password").fill("not-the-password");
    await other.getByRole("button", { name: "Sign in" }).click();
    await expect(other.locator("form").getByRole("alert")).toBeVisible();
  }
  await other.getByLabel("Password").fill(user.password);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.locator("form").getByRole("alert")).toContainText(
    "is locked after repeated failed sign-ins.",
  );
  await expect(other).toHaveURL(/\/login/);
  await context.close();
});

test("an API token is shown once, works from a script, and stops working when revoked", async ({
  page,
  baseURL,
}) => {
  await signIn(page);
  await page.goto("/settings");
  const tokens = page.getByRole("region", { name: "API tokens" });
  await tokens.getByLabel("Name").fill("inventory-script");
  await tokens.getByLabel("Role").selectOption("viewer");
  await tokens.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent()) ?? "";
  expect(token).toMatch(/^minos_[A-Za-z0-9_-]{43}$/);

  // The script: plain HTTP with the bearer token, no browser session.
  const call = () =>
    fetch(`${baseURL}/api/trpc/fleet.summary`, { headers: { authorization: `Bearer ${token}` } });
  const ok = await call();
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ result: { data: { json: { clusters: 0 } } } });

  await tokens.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await tokens
    .getByRole("row", { name: /inventory-script/ })
    .getByRole("button", { name: "Revoke" })
    .click();
  await expect(tokens.getByRole("row", { name: /inventory-script/ })).toContainText("revoked");
  const refused = await call();
  expect(refused.status).toBe(401);
});

test("the audit trail records sign-ins and shows them to administrators", async ({ page }) => {
  await signIn(page);
  await page.goto("/audit");
  await page.getByLabel("Action").fill("auth.login");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("row", { name: /auth\.login/ }).first()).toContainText("admin");
  await page.getByRole("button", { name: "Verify the chain" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Intact" })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export" }).click();
  const file = await download;
  const lines = (await (await file.createReadStream()).toArray()).join("").trim().split("\n");
  expect(lines.length).toBeGreaterThan(0);
  expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ action: "auth.login" });
});

test("verifying the audit trail names what was done to it outside Minos", async ({ page }) => {
  await signIn(page);
  await page.goto("/audit");
  // Someone with database access moves the signed head back over the newest entries, to hide them.
  const saved = await withDb(async (c) => (await c.query("SELECT last_id FROM audit_head")).rows[0]);
  await withDb((c) => c.query("UPDATE audit_head SET last_id = last_id - 1"));
  try {
    await page.getByRole("button", { name: "Verify the chain" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Tampering detected" });
    await expect(alert).toContainText("The signature of the trail's head does not match it");
    await expect(alert).toContainText("npm run minos -- audit reseal-head");
    await shot(page, "audit-tampered");
  } finally {
    await withDb((c) => c.query("UPDATE audit_head SET last_id = $1", [saved.last_id]));
  }
});

test("an administrator changes a user's roles and sets a new password for them from Settings", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const user = await createUser(page, `edith-${Date.now().toString(36)}`, "viewer");
  await page.goto("/settings");
  const users = page.getByRole("region", { name: "Users" });
  await users.getByRole("button", { name: `Edit ${user.username}` }).click();
  const editor = users.getByRole("region", { name: `Edit ${user.username}` });
  await editor.getByRole("checkbox", { name: "viewer" }).uncheck();
  await editor.getByRole("checkbox", { name: "operator" }).check();
  await editor.getByLabel(/^Scope of these roles/).fill("site:eu/*");
  await editor.getByRole("button", { name: "Save roles" }).click();
  await expect(editor.getByRole("status")).toHaveText(`${user.username} now holds operator in site:eu/*.`);
  await expect(users.getByTestId(`user-${user.username}`)).toContainText("operator (site:eu/*)");

  await editor
    .getByLabel(`New password for ${user.username} (12+ characters)`)
    .fill("Another-sturdy-passphrase-2");
  await editor.getByRole("button", { name: "Set password" }).click();
  await expect(editor.getByRole("status")).toContainText(
    `${user.username}'s password was set; their sessions ended`,
  );
  await shot(page, "settings-edit-user");

  const theirs = await (await browser.newContext()).newPage();
  await signIn(theirs, { username: user.username, password: "Another-sturdy-passphrase-2" });
  await expect(theirs.getByTestId("signed-in-user")).toContainText(user.username);
});
