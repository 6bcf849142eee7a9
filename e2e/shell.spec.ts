// The application shell: navigation, theme, empty states and readiness, as a user sees them.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

const sections = ["Fleet", "Clusters", "Machines", "Drift", "Rollouts", "Audit", "Settings"];

test("the front page opens the fleet overview with its empty state", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/fleet$/);
  await expect(page).toHaveTitle("Fleet · Minos");
  await expect(page.getByRole("heading", { level: 1, name: "Fleet" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No clusters yet" })).toBeVisible();
  const shot = await page.screenshot({ path: testInfo.outputPath("fleet.png"), fullPage: true });
  await testInfo.attach("fleet page", { body: shot, contentType: "image/png" });
});

test("every section is reachable from the navigation and marked as current", async ({ page }) => {
  await page.goto("/fleet");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of sections) {
    await nav.getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`/${name.toLowerCase()}$`));
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(nav.getByRole("link", { name })).toHaveAttribute("aria-current", "page");
  }
});

test("the theme switches to dark and is remembered after a reload", async ({ page }) => {
  await page.goto("/machines");
  await page.getByRole("button", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByRole("button", { name: "Dark" })).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("button", { name: "Light" }).click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
});

test("an unknown address says so and leads back to the fleet", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the fleet overview" }).click();
  await expect(page).toHaveURL(/\/fleet$/);
});

test("the health endpoints report a live, ready, migrated instance", async ({ request }) => {
  const health = await request.get("/api/healthz");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok" });
  const ready = await request.get("/api/readyz");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({
    status: "ready",
    database: "ok",
    pendingMigrations: [],
    problems: [],
  });
  // Metrics only with the token; paths Minos does not serve share one label, not a series each.
  for (let i = 0; i < 20; i++) await request.get(`/api/no-such-route-${i}`);
  expect((await request.get("/api/metrics")).status()).toBe(401);
  expect(
    (
      await request.get("/api/metrics", { headers: { authorization: "Bearer wrong-token-0123456789abcdef" } })
    ).status(),
  ).toBe(401);
  const metrics = await request.get("/api/metrics", {
    headers: { authorization: `Bearer ${process.env.E2E_METRICS_TOKEN}` },
  });
  const text = await metrics.text();
  expect(text).toMatch(/minos_http_requests_total\{method="GET",route="\/api\/healthz",status="200"\} \d+/);
  expect(text).toMatch(/minos_http_requests_total\{method="GET",route="\/api\/other",status="404"\} (\d+)/);
  expect(text).not.toContain("no-such-route");
});

test("every page, the sign-in page included, carries the app icon, light and dark", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage(); // signed out
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto("/login");
  const icons = page.locator('link[rel="icon"]');
  await expect(icons.first()).toHaveAttribute("href", /\/icon\.svg/);
  for (const href of await icons.evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href))) {
    const r = await page.request.get(href);
    expect(r.status(), href).toBe(200);
    expect(r.headers()["content-type"]).toMatch(/^image\//);
  }
  expect((await page.request.get("/favicon.ico")).status()).toBe(200);
  expect((await page.request.get("/apple-touch-icon.png")).status()).toBe(200);
  expect(failed).toEqual([]);
});
