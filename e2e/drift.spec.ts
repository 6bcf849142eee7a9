// Drift in the browser, against the bundled simulator: a worker booted with another kernel argument (injected
// through the simulator's control API); create a baseline, see the preview count, save, follow the overview's
// count into the machines list filtered to the drifted machine (kept on reload, handed to a rollout), open its
// declared-against-actual view (configuration redacted) and acknowledge the item.
import { expect, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { shot, withDb } from "./database";
import { mutate, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

const SITE = "eu/dk/e2e-drift";
const HOSTILE = "<img src=x onerror=window.__pwned=1>";

let fleet: SimulatedFleet;
let sim: RunningSimulator;
let clusterNames: string[] = [];

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({ name: "drift", seed: "e2e-drift", nodesPerCluster: 7 });
  ({ sim, clusterNames } = fleet);
  const worker = sim.clusters[0]?.nodes.filter((n) => n.role === "worker").at(-1);
  if (!worker) throw new Error("the simulator has no worker");
  const res = await fetch(`${sim.controlUrl}/nodes/${worker.address}/faults`, {
    method: "POST",
    body: JSON.stringify({ kind: "kernel-args", add: ["mitigations=off"] }),
  });
  expect(res.ok).toBe(true);
  // hostile text in a configuration value: shown as text everywhere, never as markup
  const hostile = await fetch(`${sim.controlUrl}/nodes/${worker.address}/faults`, {
    method: "POST",
    body: JSON.stringify({ kind: "drift", path: "machine.nodeLabels.note", value: HOSTILE }),
  });
  expect(hostile.ok).toBe(true);
  await withDb((db) => db.query("DELETE FROM baseline WHERE name = 'e2e-dk'"));
});

test.afterAll(async () => {
  await withDb((db) => db.query("DELETE FROM baseline WHERE name = 'e2e-dk'"));
  await fleet?.stop();
});

test("create a baseline with a preview, find the drifted machine, see its diff, acknowledge it", async ({
  page,
}) => {
  test.setTimeout(150_000);
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: SITE });
  const drifted = sim.clusters[0]?.nodes.filter((n) => n.role === "worker").at(-1)?.hostname ?? "";
  await expect
    .poll(
      () =>
        withDb(async (db) => {
          const { rows } = await db.query(
            `SELECT count(*)::int AS n FROM machine_drift_state s JOIN machine m ON m.id = s.machine_id
             JOIN cluster c ON c.id = m.cluster_id WHERE c.name = ANY($1)`,
            [clusterNames],
          );
          return rows[0].n;
        }),
      { timeout: 60_000, message: "the collector reads every machine's drift state" },
    )
    .toBe(7);

  // Outliers show before any baseline exists.
  await page.goto("/drift");
  // other specs' fleets may share this database: look for this cluster's worker, whatever the widest scope
  const outliers = page
    .getByRole("region", { name: "Outliers" })
    .getByRole("listitem")
    .filter({ hasText: drifted });
  await expect(outliers.first()).toContainText(/1 of \d+ workers in .* differ: kernel arg mitigations=off/, {
    timeout: 20_000,
  });
  await expect(outliers.first()).toContainText(`cluster ${clusterNames[0]}`);
  // A Talos upgrade does not change a kernel argument: no rollout is offered, the fix is said instead.
  await expect(outliers.first().getByRole("link", { name: "Create a rollout for these →" })).toHaveCount(0);
  await expect(outliers.first().getByRole("list", { name: "What fixes it" })).toContainText(
    "Kernel arguments: change the kernel arguments in the machine config",
  );

  await page.goto("/drift/baselines");
  await page.getByRole("button", { name: "New baseline" }).click();
  await page.getByLabel("Name").fill("e2e-dk");
  await page.getByLabel("Attach to").selectOption("site");
  await page.getByLabel("Site prefix (e.g. eu/dk)").fill("eu/dk/e2e-drift");
  await page.getByLabel("Talos version").fill("v9.0.0");
  await page.getByLabel("Kernel arguments (k=v or k present, -k absent)").fill("-mitigations");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByText(/Talos v9\.0\.0 is unknown/)).toBeVisible();
  await page.getByLabel("Talos version").fill("");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("status", { name: "Preview" })).toContainText(
    "This baseline would apply to 7 machines: 1 drifted, 6 clean",
  );
  // The preview names the machines, the drifted one first with what drifts.
  await page.getByText("The 7 machines it applies to").click();
  const named = page.getByRole("list", { name: "Machines the baseline applies to" }).getByRole("listitem");
  await expect(named).toHaveCount(7);
  await expect(named.first()).toContainText(
    `${drifted} (${clusterNames[0]}) drifted: kernel arg mitigations`,
  );
  await shot(page, "drift-baseline-preview");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("cell", { name: "e2e-dk" })).toBeVisible();

  await page.goto("/drift");
  const row = page.getByRole("link", { name: drifted, exact: true }).first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  await shot(page, "drift-overview");

  // The cluster's count opens the machines list filtered to exactly its drifted machines, and a reload keeps it.
  const cluster = clusterNames[0] ?? "";
  await page
    .getByRole("region", { name: "By cluster" })
    .getByRole("link", { name: `1 drifted machine: ${cluster}` })
    .click();
  await expect(page).toHaveURL(/\/machines\?drift=drifted&cluster=/);
  const chips = page.getByRole("list", { name: "Drift filters" });
  await expect(chips).toContainText("Drift:drifted");
  const driftedInDb = await withDb(async (db) => {
    const { rows } = await db.query(
      `SELECT DISTINCT m.hostname FROM drift_item i JOIN machine m ON m.id = i.machine_id
       JOIN cluster c ON c.id = m.cluster_id
       WHERE c.name = $1 AND i.state = 'drifted'
         AND (i.acknowledged_until IS NULL OR i.acknowledged_until <= now())`,
      [cluster],
    );
    return rows.map((r) => r.hostname as string);
  });
  expect(driftedInDb).toEqual([drifted]);
  const machineLinks = page.getByRole("table").getByRole("link", { name: /-(w|cp)-\d+$/ });
  await expect(page.getByTestId("machine-count")).toHaveText("1 machine match");
  await expect(machineLinks).toHaveText(driftedInDb);
  await shot(page, "drift-machines-filtered");
  await page.reload();
  await expect(chips).toContainText("Drift:drifted");
  await expect(page.getByTestId("machine-count")).toHaveText("1 machine match");
  await expect(machineLinks).toHaveText(driftedInDb);
  // from there, the machines go to a rollout like any selection
  await page.getByRole("checkbox", { name: "Select all machines on this page" }).check();
  const id = await withDb(
    async (db) =>
      (await db.query("SELECT id FROM machine WHERE hostname = $1", [drifted])).rows[0]?.id as string,
  );
  await expect(page.getByRole("link", { name: "Upgrade in a rollout" })).toHaveAttribute(
    "href",
    `/rollouts/new?machines=${id}`,
  );
  // removing the chip shows the cluster's machines again
  await page.getByRole("button", { name: "Remove filter Drift: drifted" }).click();
  await expect(page.getByTestId("machine-count")).toHaveText("7 machines match");
  await page.goto("/drift");
  await row.click();
  // The drift of one machine is a tab of its page.
  await expect(page).toHaveURL(/\/machines\/[0-9a-f-]+\/drift$/);
  await expect(page.getByRole("heading", { name: drifted, exact: true })).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Machine views" }).getByRole("link", { name: "Drift" }),
  ).toHaveAttribute("aria-current", "page");
  const item = page
    .getByRole("region", { name: "Declared against actual" })
    .getByRole("row")
    .filter({ hasText: "kernel arg mitigations" });
  await expect(item).toContainText("absent");
  await expect(item).toContainText("mitigations=off");
  await expect(item).toContainText("drifted");
  await expect(item).toContainText("e2e-dk");
  await page.getByText("The configuration as read").click();
  await expect(page.getByText(/\(redacted\)/).first()).toBeVisible();
  await expect(page.locator("pre").filter({ hasText: HOSTILE })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await item.getByRole("button", { name: "Acknowledge kernel arg mitigations" }).click();
  await page.getByLabel("Reason").fill("kept off for the benchmark until Friday");
  await page.getByRole("button", { name: "Acknowledge", exact: true }).click();
  await expect(item).toContainText("Acknowledged by admin");
  await expect(item).toContainText("kept off for the benchmark until Friday");
  await shot(page, "drift-machine");
  // An acknowledgement can be withdrawn: the drift counts again and can be acknowledged anew.
  await item.getByRole("button", { name: "Withdraw the acknowledgement of kernel arg mitigations" }).click();
  await expect(item).not.toContainText("Acknowledged by admin");
  await expect(item.getByRole("button", { name: "Acknowledge kernel arg mitigations" })).toBeVisible();
  const audited = await withDb(
    async (db) =>
      (await db.query("SELECT count(*)::int AS n FROM audit_entry WHERE action = 'drift.unacknowledge'"))
        .rows[0].n as number,
  );
  expect(audited).toBeGreaterThanOrEqual(1);
});
