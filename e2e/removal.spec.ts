// Taking things out that were added by mistake or are gone: an administrator removes a cluster by typing
// its name, removes a credential with the cluster only it reached, deletes a user; an operator archives
// a finished rollout and finds it again under "Show archived". Rows are seeded straight into the database.
import { expect, type Page, test } from "@playwright/test";
import { createCa, issueClientCert, renderTalosconfig } from "@/sim";
import { shot, withDb } from "./database";
import { createUser, mutate, signIn } from "./helpers";

/** Seeds a cluster of `machines` healthy machines; returns the id of its first machine. */
async function seedCluster(name: string, octet: number, machines = 2): Promise<string> {
  return withDb(async (db) => {
    const { rows } = await db.query(
      `INSERT INTO cluster (id, name, site, endpoints, health, updated_at)
       VALUES (gen_random_uuid(), $1, 'eu/dk/e2e-removal', $2, 'healthy', now()) RETURNING id`,
      [name, [`127.78.${octet}.1`]],
    );
    const ids: string[] = [];
    for (let i = 1; i <= machines; i++) {
      const m = await db.query(
        `INSERT INTO machine (id, cluster_id, hostname, address, role, talos_version, kubernetes_version, stage,
           ready, reachable, last_seen_at, health, updated_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, 'v1.11.5', 'v1.34.1', 'running', true, true, now(), 'healthy',
           now()) RETURNING id`,
        [rows[0].id, `${name}-${i}`, `127.78.${octet}.${i}`, i === 1 ? "controlplane" : "worker"],
      );
      ids.push(m.rows[0].id);
    }
    return ids[0] as string;
  });
}

const forget = () =>
  withDb(async (db) => {
    await db.query("DELETE FROM rollout WHERE name LIKE 'e2e-removal %'");
    await db.query("DELETE FROM cluster WHERE name LIKE 'e2e-removal-%'");
    await db.query("DELETE FROM talos_credential WHERE name LIKE 'e2e-removal-%'");
    await db.query("DELETE FROM app_user WHERE username LIKE 'e2e-removal-%'");
  });
test.beforeAll(forget);
test.afterAll(forget);

const clusterRows = (page: Page) => page.getByRole("table").getByRole("link", { name: /^e2e-removal-/ });

test("an administrator removes a cluster after typing its name; it leaves the list", async ({ page }) => {
  await seedCluster("e2e-removal-gone", 1);
  await seedCluster("e2e-removal-stays", 2);
  await signIn(page);
  await page.goto("/clusters");
  await expect(clusterRows(page)).toHaveText(["e2e-removal-gone", "e2e-removal-stays"]);

  await page.goto("/clusters/e2e-removal-gone");
  const card = page.getByRole("region", { name: "Remove cluster" });
  await card.getByRole("button", { name: "Remove cluster…" }).click();
  const form = card.getByRole("form", { name: "Remove e2e-removal-gone" });
  await expect(form).toContainText("e2e-removal-gone and its 2 machines leave the inventory");
  const confirm = form.getByRole("button", { name: "Remove this cluster" });
  await expect(confirm).toBeDisabled();
  await form.getByLabel("Type e2e-removal-gone to confirm").fill("e2e-removal-gon");
  await expect(confirm).toBeDisabled();
  await form.getByLabel("Type e2e-removal-gone to confirm").fill("e2e-removal-gone");
  await expect(confirm).toBeEnabled();
  await shot(page, "cluster-remove-confirm");
  await confirm.click();
  await expect(page.getByRole("heading", { name: "e2e-removal-gone was removed" })).toBeVisible();
  await shot(page, "cluster-removed");

  await page.getByRole("link", { name: "All clusters" }).click();
  await expect(clusterRows(page)).toHaveText(["e2e-removal-stays"]);
  await page.goto("/clusters/e2e-removal-gone");
  await expect(page.getByRole("heading", { name: "Cluster not found" })).toBeVisible();
});

test("a viewer sees no way to remove a cluster", async ({ page }) => {
  await signIn(page);
  const viewer = await createUser(page, "e2e-removal-viewer", "viewer");
  await page.context().clearCookies();
  await signIn(page, viewer);
  await page.goto("/clusters/e2e-removal-stays");
  await expect(page.getByRole("heading", { name: "e2e-removal-stays" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Remove cluster" })).toHaveCount(0);
});

test("removing a credential offers to remove the cluster only it reaches", async ({ page }) => {
  const ca = await createCa();
  const pair = await issueClientCert(ca, { role: "os:reader", notBefore: new Date(Date.now() - 60_000) });
  await signIn(page);
  await mutate(page, "credentials.import", {
    talosconfig: renderTalosconfig([
      { name: "e2e-removal-cred", endpoints: ["127.78.3.1"], caPem: ca.certPem, ...pair },
    ]),
  });
  await seedCluster("e2e-removal-lone", 3);
  await withDb((db) =>
    db.query(
      "UPDATE cluster SET credential_id = (SELECT id FROM talos_credential WHERE name = 'e2e-removal-cred') WHERE name = 'e2e-removal-lone'",
    ),
  );
  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Talos credentials" });
  await card.getByRole("button", { name: "Remove e2e-removal-cred" }).click();
  const dialog = card.getByRole("alertdialog", { name: "Remove e2e-removal-cred?" });
  await expect(dialog).toContainText("It is the only credential Minos reaches e2e-removal-lone with");
  const also = dialog.getByRole("checkbox", { name: /Also remove the cluster e2e-removal-lone/ });
  await expect(also).not.toBeChecked();
  await also.check();
  await shot(page, "credential-remove-with-cluster");
  await dialog.getByRole("button", { name: "Remove credential and clusters" }).click();
  await expect(card.getByRole("status")).toHaveText(
    "Removed e2e-removal-cred and the cluster e2e-removal-lone.",
  );
  await page.goto("/clusters");
  await expect(clusterRows(page)).toHaveText(["e2e-removal-stays"]);
});

test("an administrator deletes a user made by mistake, after confirming", async ({ page }) => {
  await signIn(page);
  await createUser(page, "e2e-removal-typo", "operator");
  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Users" });
  await expect(card.getByTestId("user-e2e-removal-typo")).toBeVisible();
  // Nobody deletes their own account: there is no button for it.
  await expect(card.getByRole("button", { name: "Delete admin" })).toHaveCount(0);
  await card.getByRole("button", { name: "Delete e2e-removal-typo" }).click();
  const dialog = card.getByRole("alertdialog", { name: "Delete e2e-removal-typo?" });
  await expect(dialog).toContainText("The audit trail, rollouts, approvals and locks keep their name.");
  await shot(page, "user-delete-confirm");
  await dialog.getByRole("button", { name: "Delete user" }).click();
  await expect(card.getByRole("status")).toHaveText(
    "Deleted e2e-removal-typo: 0 sessions ended, 0 API tokens removed.",
  );
  await expect(card.getByTestId("user-e2e-removal-typo")).toHaveCount(0);
});

test("an operator archives a finished rollout and finds it under Show archived", async ({ page }) => {
  const machine = await seedCluster("e2e-removal-rollouts", 4, 1);
  await withDb((db) =>
    db.query(
      `WITH r AS (
         INSERT INTO rollout (id, name, target_version, installer_image, wave_plan, safety, status, created_by_id,
           created_by, last_changed_by_id, last_changed_by, updated_at, finished_at)
         VALUES (gen_random_uuid(), 'e2e-removal finished', 'v1.12.0', 'ghcr.io/siderolabs/installer:v1.12.0', '{}',
           '{}', 'completed', gen_random_uuid(), 'planner', gen_random_uuid(), 'planner', now(), now()) RETURNING id)
       INSERT INTO rollout_machine (id, rollout_id, machine_id, wave_index, position, phase)
       SELECT gen_random_uuid(), r.id, $1, 0, 0, 'done' FROM r`,
      [machine],
    ),
  );
  await signIn(page);
  const operator = await createUser(page, "e2e-removal-operator", "operator");
  await page.context().clearCookies();
  await signIn(page, operator);
  await page.goto("/rollouts");
  const row = page.getByRole("row", { name: /e2e-removal finished/ });
  await expect(row).toBeVisible();
  await shot(page, "rollouts-before-archive");
  await row.getByRole("button", { name: "Archive e2e-removal finished" }).click();
  await expect(row).toHaveCount(0);

  await page.getByRole("checkbox", { name: "Show archived" }).check();
  await expect(row).toContainText("Archived");
  await expect(row).toContainText("by e2e-removal-operator");
  await shot(page, "rollouts-show-archived");
  await row.getByRole("button", { name: "Unarchive e2e-removal finished" }).click();
  await page.getByRole("checkbox", { name: "Show archived" }).uncheck();
  await expect(row).toBeVisible();
  await expect(row).not.toContainText("Archived");
});
