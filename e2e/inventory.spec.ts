// The fleet views with seeded rows: filter machines by a label selector and reload the link, open
// a machine, edit labels in bulk, see hostile strings as text, and a viewer scoped to Denmark
// seeing only Denmark. Rows are written straight to the database the server uses.
import { expect, type Page, test } from "@playwright/test";
import { shot, withDb } from "./database";
import { mutate, signIn } from "./helpers";

const HOSTILE = "<img src=x onerror=alert(1)>e2e-hostile";
const fleet = [
  {
    name: "e2e-aarhus",
    site: "eu/dk/aarhus-0042",
    labels: { group: "nordics" },
    machines: [
      ["e2e-aarhus-cp-1", "controlplane", {}],
      ["e2e-aarhus-w-1", "worker", { canary: "true" }],
      ["e2e-aarhus-w-2", "worker", { note: "<script>alert(1)</script>" }],
    ],
  },
  {
    name: "e2e-malmo",
    site: "eu/se/malmo-0007",
    labels: { group: "nordics" },
    machines: [
      ["e2e-malmo-cp-1", "controlplane", {}],
      [HOSTILE, "worker", {}],
    ],
  },
] as const;

test.beforeAll(async () => {
  await withDb(async (db) => {
    await db.query("DELETE FROM cluster WHERE name LIKE 'e2e-%'");
    for (const [ci, c] of fleet.entries()) {
      const { rows } = await db.query(
        `INSERT INTO cluster (id, name, site, labels, endpoints, health, updated_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, 'healthy', now()) RETURNING id`,
        [c.name, c.site, JSON.stringify(c.labels), [`127.77.${ci}.1`]],
      );
      for (const [mi, [hostname, role, labels]] of c.machines.entries()) {
        await db.query(
          `INSERT INTO machine (id, cluster_id, hostname, address, role, labels, talos_version, kubernetes_version,
             stage, ready, reachable, last_seen_at, health, updated_at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'v1.11.5', 'v1.34.1', 'running', true, true, now(),
             'healthy', now())`,
          [rows[0].id, hostname, `127.77.${ci}.${mi + 1}`, role, JSON.stringify(labels)],
        );
      }
    }
  });
});

test.afterAll(async () => {
  await withDb((db) => db.query("DELETE FROM cluster WHERE name LIKE 'e2e-%'"));
});

const table = (page: Page) => page.getByRole("table");

test("filter machines by a label selector, reload the link, open a machine", async ({ page }) => {
  await signIn(page);
  await page.goto("/machines");
  await expect(table(page).getByRole("link", { name: "e2e-aarhus-w-1" })).toBeVisible();
  await shot(page, "machines");
  // Every text filter applies as one types, like the search box: no Enter needed.
  const selector = page.getByLabel("Label selector");
  await selector.fill("group=nordics,!canary,role=worker,site in (eu/dk/*)");
  await expect(page).toHaveURL(/selector=group%3Dnordics/);
  await expect(page.getByTestId("machine-count")).toHaveText("1 machine match");
  await expect(table(page).getByRole("link", { name: "e2e-aarhus-w-2" })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Label selector")).toHaveValue(
    "group=nordics,!canary,role=worker,site in (eu/dk/*)",
  );
  await expect(page.getByTestId("machine-count")).toHaveText("1 machine match");
  // A hostile label value is shown as text.
  await expect(table(page).getByText("note=<script>alert(1)</script>")).toBeVisible();

  // A malformed selector says where it is wrong as it is typed, and the list shows no rows of another filter.
  await page.getByLabel("Label selector").fill("group=nordics,(");
  await expect(page.getByRole("alert").filter({ hasText: "not valid at character 15" })).toBeVisible();
  await expect(page.getByTestId("selector-invalid")).toBeVisible();
  await expect(page.getByTestId("machine-count")).toHaveText("The selector is not valid");
  await expect(table(page)).toHaveCount(0);
  await shot(page, "machines-selector-invalid");

  // The list follows a link to itself: the sidebar's "Machines" clears the filter, Back restores it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Machines" }).click();
  await expect(page).toHaveURL(/\/machines$/);
  await expect(page.getByLabel("Label selector")).toHaveValue("");
  await expect(page.getByTestId("machine-count")).not.toContainText("match");
  await page.goBack();
  // The malformed selector was never applied: Back restores the last filter that was.
  await expect(page.getByLabel("Label selector")).toHaveValue(
    "group=nordics,!canary,role=worker,site in (eu/dk/*)",
  );

  await page.goto("/machines?selector=role%3Dworker%2C!canary&cluster=e2e-aarhus");
  await table(page).getByRole("link", { name: "e2e-aarhus-w-2" }).click();
  await expect(page.getByRole("heading", { name: "e2e-aarhus-w-2" })).toBeVisible();
  const views = page.getByRole("navigation", { name: "Machine views" });
  await expect(views.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await expect(views.getByRole("link", { name: "Logs" })).toHaveAttribute(
    "href",
    /\/machines\/[0-9a-f-]+\/logs$/,
  );
  await expect(page.getByRole("region", { name: "Labels and site" })).toContainText("eu/dk/aarhus-0042");
  await shot(page, "machine");
});

test("hostile hostnames are text, and an operator edits labels of several machines", async ({ page }) => {
  await signIn(page);
  await page.goto("/machines?cluster=e2e-malmo");
  await expect(table(page).getByRole("link", { name: HOSTILE })).toBeVisible();
  expect(await page.locator("table img").count()).toBe(0);

  await page.goto("/machines?cluster=e2e-aarhus");
  await page.getByLabel("Select e2e-aarhus-w-1").check();
  await page.getByLabel("Select e2e-aarhus-w-2").check();
  const selection = page.getByRole("region", { name: "Selection" });
  await expect(selection.getByRole("status")).toHaveText("2 machines selected");
  await expect(selection.getByRole("link", { name: "View logs of 2 merged" })).toHaveAttribute(
    "href",
    /^\/logs\?machines=[0-9a-f-]{36},[0-9a-f-]{36}$/,
  );
  const bulk = page.getByRole("form", { name: "Edit selected machines" });
  await bulk.getByLabel("Set labels").fill("ring=1");
  await bulk.getByRole("button", { name: "Apply to 2" }).click();
  await expect(bulk.getByRole("status")).toHaveText("Updated 2 machines.");
  await expect(table(page).getByText("ring=1")).toHaveCount(2);
  await bulk.getByLabel("Set labels").fill("Bad Key=1");
  await bulk.getByRole("button", { name: "Apply to 2" }).click();
  await expect(bulk.getByRole("alert")).toContainText("may hold letters");
});

test("the overview, clusters and a cluster page show the seeded fleet", async ({ page }) => {
  await signIn(page);
  await page.goto("/fleet");
  await expect(page.getByRole("region", { name: "Machines by health" })).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Health over time" }).locator(".recharts-surface").first(),
  ).toBeVisible();
  // What is changing, in scope: rollouts, approvals, drift.
  const changes = page.getByRole("region", { name: "Changes" });
  await expect(changes.getByRole("link", { name: /^\d+ open rollouts?$/ })).toBeVisible();
  await expect(changes.getByRole("link", { name: /^\d+ waves? waiting for approval$/ })).toBeVisible();
  await expect(changes.getByRole("link", { name: /^\d+ machines? with drift$/ })).toHaveAttribute(
    "href",
    "/drift",
  );
  await shot(page, "fleet");
  // A health tile's cluster count opens the clusters in that health, not machines (the second tile:
  // unreachable, the seeded fleet's state here).
  await page
    .getByRole("region", { name: "Machines by health" })
    .getByRole("link", { name: /^\d+ clusters?$/ })
    .nth(1)
    .click();
  await expect(page).toHaveURL(/\/clusters\?health=unreachable$/);
  await page.goto("/clusters");
  await page.getByRole("link", { name: "e2e-aarhus" }).click();
  await expect(page.getByRole("heading", { name: "e2e-aarhus" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Control plane and etcd" })).toContainText("e2e-aarhus-cp-1");
  await shot(page, "cluster");
  await page.goto("/clusters");
  await shot(page, "clusters");
});

test("a viewer scoped to Denmark sees only Danish machines and clusters", async ({ page, browser }) => {
  await signIn(page);
  const dana = { username: "dana-dk", password: "Sturdy-e2e-passphrase-1" };
  await mutate(page, "users.create", { ...dana, grants: [{ role: "viewer", scope: "site:eu/dk/*" }] });
  const context = await browser.newContext();
  const viewer = await context.newPage();
  await signIn(viewer, dana);
  await viewer.goto("/machines");
  await expect(table(viewer).getByRole("link", { name: "e2e-aarhus-cp-1" })).toBeVisible();
  await expect(viewer.getByText("e2e-malmo")).toHaveCount(0);
  await expect(viewer.getByLabel("Select e2e-aarhus-cp-1")).toHaveCount(0);
  await viewer.goto("/clusters");
  await expect(viewer.getByRole("link", { name: "e2e-aarhus" })).toBeVisible();
  await expect(viewer.getByText("e2e-malmo")).toHaveCount(0);
  await viewer.goto("/clusters/e2e-malmo");
  await expect(viewer.getByRole("heading", { name: "Cluster not found" })).toBeVisible();
  await viewer.goto("/fleet");
  await expect(viewer.getByRole("region", { name: "Machines by health" })).toBeVisible();
  await expect(viewer.getByText("eu/se")).toHaveCount(0);
  await context.close();
});
