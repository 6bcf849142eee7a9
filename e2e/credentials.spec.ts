// Talos credentials in the browser: an administrator pastes a talosconfig issued by the simulator's
// PKI and sees each context's role and expiry (never its key); a viewer never sees the card.
import { expect, test } from "@playwright/test";
import { createCa, issueClientCert, renderTalosconfig } from "@/sim";
import { createUser, mutate, signIn } from "./helpers";

const DAY_MS = 24 * 60 * 60 * 1000;

async function talosconfig() {
  const ca = await createCa();
  const validFrom = new Date(Date.now() - 60_000);
  const [reader, admin] = await Promise.all([
    issueClientCert(ca, { role: "os:reader", notBefore: validFrom }),
    issueClientCert(ca, {
      role: "os:admin",
      notBefore: validFrom,
      notAfter: new Date(Date.now() + 10 * DAY_MS),
    }),
  ]);
  const text = renderTalosconfig([
    { name: "e2e-reader", endpoints: ["127.0.0.10"], caPem: ca.certPem, ...reader },
    { name: "e2e-admin", endpoints: ["127.0.0.11"], caPem: ca.certPem, ...admin },
  ]);
  const keyLines = [reader.keyPem, admin.keyPem].map((k) => k.split("\n")[1] ?? k);
  return { text, keyLines };
}

test("an administrator pastes a talosconfig and sees each credential's role and expiry, never its key", async ({
  page,
}) => {
  const { text, keyLines } = await talosconfig();
  await signIn(page);
  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Talos credentials" });
  await expect(card).toBeVisible();
  await card.getByLabel("Talosconfig", { exact: true }).fill(text);
  await card.getByRole("button", { name: "Import" }).click();
  await expect(card.getByRole("status")).toHaveText("Imported e2e-reader (os:reader), e2e-admin (os:admin).");

  const reader = card.getByTestId("credential-e2e-reader");
  await expect(reader).toContainText("os:reader");
  await expect(reader).toContainText("127.0.0.10:50000");
  await expect(reader).toContainText(/36[45] days left/);
  const admin = card.getByTestId("credential-e2e-admin");
  await expect(admin).toContainText("os:admin");
  await expect(admin).toContainText(/Expires in (9|10) days/);
  await expect(card.getByTestId("credential-expiry-warning")).toContainText(
    "e2e-admin has a certificate that has expired or expires within 30 days. Replace it",
  );
  // The page holds the certificates' facts, not the keys the file carried.
  const html = await page.content();
  for (const line of keyLines) expect(html).not.toContain(line);

  // A second import of the same names is refused as a whole, with the reason.
  await card.getByLabel("Talosconfig", { exact: true }).fill(text);
  await card.getByRole("button", { name: "Import" }).click();
  await expect(card.getByRole("alert").first()).toContainText(/already exists?, so nothing was imported/);

  // Removing asks first.
  await card.getByRole("button", { name: "Remove e2e-admin" }).click();
  const confirm = card.getByRole("alertdialog", { name: "Remove e2e-admin?" });
  await expect(confirm).toContainText("No cluster uses it.");
  await confirm.getByRole("button", { name: "Remove credential" }).click();
  await expect(card.getByTestId("credential-e2e-admin")).toHaveCount(0);
  await expect(card.getByTestId("credential-expiry-warning")).toHaveCount(0);
  await expect(card.getByTestId("credential-e2e-reader")).toBeVisible();
});

test("an administrator replaces a credential by choosing a new talosconfig file", async ({ page }) => {
  const ca = await createCa();
  const issue = async (notAfter: Date) => ({
    name: "e2e-renew",
    endpoints: ["127.0.0.12"],
    caPem: ca.certPem,
    ...(await issueClientCert(ca, { role: "os:operator", notAfter })),
  });
  await signIn(page);
  await mutate(page, "credentials.import", {
    talosconfig: renderTalosconfig([await issue(new Date(Date.now() + 5 * DAY_MS))]),
  });
  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Talos credentials" });
  const row = card.getByTestId("credential-e2e-renew");
  await expect(row).toContainText(/Expires in [45] days/);

  await card.getByRole("button", { name: "Replace e2e-renew" }).click();
  const panel = card.getByRole("group", { name: "Replace e2e-renew" });
  await panel.getByLabel("Or choose a talosconfig file").setInputFiles({
    name: "talosconfig",
    mimeType: "application/yaml",
    buffer: Buffer.from(renderTalosconfig([await issue(new Date(Date.now() + 200 * DAY_MS))])),
  });
  await expect(panel.getByText("Using talosconfig")).toBeVisible();
  await panel.getByRole("button", { name: "Replace credential" }).click();
  await expect(card.getByRole("status")).toHaveText("Replaced e2e-renew (os:operator).");
  await expect(row).toContainText(/19\d days left/);
});

test("a viewer does not see the credentials card, and the server refuses them the list", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const viewer = await createUser(page, "vic", "viewer");
  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer);
  await viewerPage.goto("/settings");
  await expect(viewerPage.getByRole("region", { name: "API tokens" })).toBeVisible();
  await expect(viewerPage.getByRole("region", { name: "Talos credentials" })).toHaveCount(0);
  const res = await viewerPage.request.get("/api/trpc/credentials.list");
  expect(res.status()).toBe(403);
  await context.close();
});
