// Kubernetes in a rollout, in the browser against the simulator (its Talos and Kubernetes APIs): an approver
// sees before deciding that a disruption budget allows no disruption on the wave's node; once approved, the
// rollout page shows the drain blocked by that budget, and at the drain timeout the machine fails with the
// node uncordoned and not rebooted.
import { expect, test } from "@playwright/test";
import { shot, withDb } from "./database";
import { createUser, mutate, pageAs, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

const TARGET = "v1.14.0-rc.1";
const SLOW = { timeout: 30_000 };

let fleet: SimulatedFleet;

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({
    name: "drain",
    seed: "drain",
    nodesPerCluster: 5,
    healthy: true,
    talosVersion: "v1.13.9",
  });
});

test.afterAll(async () => {
  await withDb((db) => db.query("DELETE FROM rollout WHERE name LIKE 'e2e drain %'"));
  await fleet?.stop();
});

test("an approver sees the blocking disruption budget before deciding, and the blocked drain on the rollout page", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const cluster = fleet.clusterNames[0] ?? "";
  const worker = `${cluster}-w-1`;
  const res = await fetch(`${fleet.sim.controlUrl}/nodes/${worker}/faults`, {
    method: "POST",
    body: JSON.stringify({ kind: "pdb-block" }),
  });
  expect(res.ok, await res.text()).toBe(true);

  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: fleet.sim.talosconfig, site: "eu/de/e2e-drain" });
  const suffix = Date.now().toString(36);
  const operator = await createUser(page, `olga-${suffix}`, "operator");
  const approver = await createUser(page, `abe-${suffix}`, "approver");
  await expect
    .poll(
      () =>
        withDb(
          async (db) =>
            (
              await db.query(
                "SELECT count(*)::int AS n FROM machine WHERE hostname = $1 AND health = 'healthy' AND kube_ready",
                [worker],
              )
            ).rows[0].n,
        ),
      { timeout: 60_000, message: "the collector sees the worker healthy and its Node Ready" },
    )
    .toBe(1);
  const machineId = await withDb(
    async (db) =>
      (await db.query("SELECT id FROM machine WHERE hostname = $1", [worker])).rows[0].id as string,
  );

  const op = await pageAs(browser, operator);
  const name = `e2e drain ${suffix}`;
  const created = (await mutate(op, "rollouts.create", {
    name,
    installerImage: `ghcr.io/siderolabs/installer:${TARGET}`,
    scope: { machineIds: [machineId] },
    wavePlan: { canary: { kind: "none" }, waves: [{ kind: "percent", percent: 100 }] },
    safety: { drainTimeoutMinutes: 0.5, failureBudget: { kind: "count", value: 1 } },
  })) as { id: string };

  // Before deciding: the budget that allows nothing, on the wave's node.
  const ap = await pageAs(browser, approver);
  await ap.goto(`/rollouts/${created.id}`);
  const drain = ap.getByRole("region", { name: "Drain" });
  await expect(drain.getByText(/^1 disruption budget allows no disruption now/)).toBeVisible(SLOW);
  await expect(drain.getByRole("list", { name: "Blocking disruption budgets" })).toContainText(
    "vault/vault-pdb",
  );
  await expect(drain.getByRole("list", { name: "Blocking disruption budgets" })).toContainText(
    `1 of 1 healthy required, covering vault/vault-0 on ${worker}`,
  );
  await shot(ap, "drain-briefing");
  await ap.getByRole("button", { name: /^Approve wave 1/ }).click();

  // During the wave: the machine's row says what the drain waits for.
  const row = ap.getByRole("row", { name: worker });
  await expect(
    row.getByText(/waiting: (.*; )?PDB vault\/vault-pdb allows 0 disruptions \(1 of 1 healthy required\)/),
  ).toBeVisible({
    timeout: 90_000,
  });
  await shot(ap, "drain-blocked");
  // The machine's own page names the rollout working on it, with a link there.
  await op.goto(`/machines/${machineId}`);
  await expect(op.getByRole("link", { name: "Open the rollout" })).toHaveAttribute(
    "href",
    `/rollouts/${created.id}`,
    SLOW,
  );
  // At the drain timeout: failed, uncordoned, not rebooted.
  await expect(
    row.getByText(/^drain timed out: .* the node was not rebooted and was uncordoned/),
  ).toBeVisible({
    timeout: 90_000,
  });
  await shot(ap, "drain-timed-out");

  // The machine's page shows its Kubernetes Node: Ready again, schedulable, with its kubelet version.
  await op.goto(`/machines/${machineId}`);
  const nodeFacts = op.getByRole("definition").filter({ hasText: worker.toLowerCase() });
  await expect(nodeFacts.getByText("Ready", { exact: true })).toBeVisible(SLOW);
  await expect(nodeFacts.getByText("schedulable")).toBeVisible();
  await expect(nodeFacts.getByText(/^kubelet v1\.\d+\.\d+/)).toBeVisible();
  await shot(op, "drain-machine-node");

  // Planning: turning the drain off asks why, and the reason is required.
  await op.goto("/rollouts/new");
  const k8s = op.getByRole("region", { name: "Kubernetes" });
  await k8s.getByLabel("Cordon and drain each node before its reboot (recommended)").uncheck();
  await expect(k8s.getByLabel("Why may nodes reboot without a drain?")).toHaveAttribute("required", "");
  await shot(op, "drain-form-off");
});
