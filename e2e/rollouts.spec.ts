// Rollouts in the browser, against the bundled simulator (time compressed): an operator plans and
// creates a rollout with a preview; another user, an approver, rejects one rollout (it stops) and
// approves another wave by wave, watching the canary upgrade live, until it completes.
import { expect, type Page, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { shot, withDb } from "./database";
import { createUser, mutate, pageAs, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

const TARGET = "v1.14.0-rc.1";

let fleet: SimulatedFleet;
let sim: RunningSimulator;
let clusterName = "";

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({ name: "rollouts", seed: "rollouts", nodesPerCluster: 5 });
  sim = fleet.sim;
  clusterName = fleet.clusterNames[0] ?? "";
});

test.afterAll(async () => {
  await withDb((db) => db.query("DELETE FROM rollout WHERE name LIKE 'e2e %'"));
  await fleet?.stop();
});

/** The operator fills the form, previews the plan and creates the rollout; returns its page. */
async function createRollout(page: Page, name: string): Promise<string> {
  await page.goto("/rollouts");
  await page.getByRole("link", { name: "New rollout" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel(/Installer image/).fill(`ghcr.io/siderolabs/installer:${TARGET}`);
  await page.getByLabel(/^Selector/).fill(`cluster=${clusterName}`);
  await page.getByLabel(/Bake time/).fill("0");
  await expect(page.getByRole("button", { name: "Create rollout" })).toBeDisabled();
  await page.getByRole("button", { name: "Preview the plan" }).click();
  const preview = page.getByRole("region", { name: "Plan preview" });
  await expect(preview.getByRole("cell", { name: "Canary" })).toBeVisible({ timeout: 15_000 });
  await expect(preview.getByRole("cell", { name: "Wave 1 (100 %)" })).toBeVisible();
  await shot(page, "rollouts-new-preview");
  await page.getByRole("button", { name: "Create rollout" }).click();
  await expect(page).toHaveURL(/\/rollouts\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return page.url();
}

test("an operator creates rollouts; an approver rejects one, and approves the other wave by wave to completion", async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: "eu/dk/e2e-rollouts" });
  const suffix = Date.now().toString(36);
  const operator = await createUser(page, `olivia-${suffix}`, "operator");
  const approver = await createUser(page, `abe-${suffix}`, "approver");
  // Planned only once the collector knows the machines (versions, health).
  await expect
    .poll(
      () =>
        withDb(
          async (db) =>
            (
              await db.query(
                "SELECT count(*)::int AS n FROM machine m JOIN cluster c ON c.id = m.cluster_id WHERE c.name = $1 AND m.health = 'healthy'",
                [clusterName],
              )
            ).rows[0].n,
        ),
      { timeout: 60_000, message: "the collector sees the simulated machines healthy" },
    )
    .toBe(5);

  const op = await pageAs(browser, operator);
  const ap = await pageAs(browser, approver);

  // A rejected wave stops its rollout.
  const rejected = await createRollout(op, `e2e rejected ${suffix}`);
  // The operator may not decide: no decision controls for them.
  await expect(op.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  await ap.goto(rejected);
  await ap.getByLabel("Comment").fill("not this week");
  await ap.getByRole("button", { name: "Reject" }).click();
  await expect(
    ap.getByRole("region", { name: "Status" }).getByText("rejected", { exact: true }),
  ).toBeVisible();
  await expect(ap.getByRole("region", { name: "Decisions" }).getByText("not this week")).toBeVisible();

  // The approved one runs.
  const url = await createRollout(op, `e2e to ${TARGET} ${suffix}`);
  await op.goto("/rollouts");
  await expect(op.getByText("Canary awaits approval").first()).toBeVisible();
  await shot(op, "rollouts-list-awaiting");

  await ap.goto(url);
  await ap.getByLabel("Comment").fill("canary first");
  await ap.getByRole("button", { name: "Approve canary" }).click();
  const canary = ap.getByRole("listitem", { name: "Canary" });
  // Live, without reloading: the canary goes in flight and comes back on the target.
  await expect(canary.getByText(/^(pulling|pulled|upgrading)$/).first()).toBeVisible({ timeout: 30_000 });
  await shot(ap, "rollouts-canary-in-flight");
  await expect(
    canary.getByText(/^runs v1\.14\.0-rc\.1 on a new boot id; Ready in Kubernetes and schedulable$/),
  ).toBeVisible({ timeout: 90_000 });
  await expect(ap.getByRole("button", { name: /^Approve wave 1/ })).toBeVisible({ timeout: 30_000 });

  await ap.getByRole("button", { name: /^Approve wave 1/ }).click();
  await expect(
    ap.getByRole("region", { name: "Status" }).getByText("completed", { exact: true }),
  ).toBeVisible({
    timeout: 150_000,
  });
  const wave = ap.getByRole("listitem", { name: /^Wave 1/ });
  await expect(wave.getByText("done", { exact: true }).first()).toBeVisible();
  await expect(ap.getByText(/^(pending|pulling|pulled|upgrading|failed)$/)).toHaveCount(0);
  await shot(ap, "rollouts-completed");
  // The list says how far it got, machine by machine.
  await ap.goto("/rollouts");
  const row = ap.getByRole("row", { name: new RegExp(`e2e to ${TARGET.replaceAll(".", "\\.")} ${suffix}`) });
  await expect(row.getByTestId("rollout-progress")).toHaveText("5 of 5 machines upgraded");
  await expect(row).toContainText("2 waves");

  // Every machine on the target, rebooted once.
  const simulated = (await (await fetch(`${sim.controlUrl}/fleet`)).json()) as {
    clusters: { nodes: { hostname: string; talosVersion: string }[] }[];
  };
  const planned = await withDb(async (db) =>
    (
      await db.query(
        "SELECT m.hostname FROM rollout_machine rm JOIN machine m ON m.id = rm.machine_id JOIN rollout r ON r.id = rm.rollout_id WHERE r.name = $1",
        [`e2e to ${TARGET} ${suffix}`],
      )
    ).rows.map((r) => r.hostname as string),
  );
  expect(planned.length).toBeGreaterThan(1);
  for (const n of simulated.clusters[0]?.nodes ?? [])
    if (planned.includes(n.hostname)) expect(n.talosVersion).toBe(TARGET);
});

test("the author of a rollout, holding the approver role too, is told before clicking that someone else must approve", async ({
  page,
}) => {
  await signIn(page); // the administrator holds every role
  const id = await withDb(async (db) => {
    const user = (await db.query("SELECT id FROM app_user WHERE username = 'admin'")).rows[0].id as string;
    const r = await db.query(
      `INSERT INTO rollout (id, name, target_version, installer_image, wave_plan, safety, created_by_id, created_by, last_changed_by_id, last_changed_by, updated_at)
       VALUES (gen_random_uuid(), 'e2e own rollout', $1, $2, '{}', '{}', $3, 'admin', $3, 'admin', now()) RETURNING id`,
      [TARGET, `ghcr.io/siderolabs/installer:${TARGET}`, user],
    );
    await db.query(
      "INSERT INTO rollout_wave (id, rollout_id, index, name) VALUES (gen_random_uuid(), $1, 0, 'Canary')",
      [r.rows[0].id],
    );
    return r.rows[0].id as string;
  });
  await page.goto(`/rollouts/${id}`);
  await expect(page.getByRole("note")).toHaveText(
    "You created this rollout, so another approver must approve or reject it (four-eyes rule).",
  );
  await expect(page.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  await shot(page, "rollouts-own-four-eyes");
});
