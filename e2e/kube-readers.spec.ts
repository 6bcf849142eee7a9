// Read-only Kubernetes access in Settings, in the browser against the simulator's Kubernetes API: an
// administrator picks a cluster and pastes a kubeconfig; the admin kubeconfig is turned down as not
// read-only, with the reason on the form; a reader's is checked and listed with the identity Minos reads
// as; removing it needs a second click.
import { expect, test } from "@playwright/test";
import { shot, withDb } from "./database";
import { mutate, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

let fleet: SimulatedFleet;

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({
    name: "kube-readers",
    seed: "kube-readers",
    nodesPerCluster: 4,
    healthy: true,
  });
});
test.afterAll(async () => {
  await withDb((db) => db.query("DELETE FROM kube_reader"));
  await fleet?.stop();
});

async function kubeconfig(cluster: string, user: string, groups: string[]): Promise<string> {
  const res = await fetch(`${fleet.sim.controlUrl}/kube/${cluster}/kubeconfig`, {
    method: "POST",
    body: JSON.stringify({ user, groups }),
  });
  expect(res.ok).toBe(true);
  return ((await res.json()) as { kubeconfig: string }).kubeconfig;
}

test("an administrator imports a read-only kubeconfig for a cluster; an admin one is turned down", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const cluster = fleet.clusterNames[0] ?? "";
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: fleet.sim.talosconfig, site: "eu/nl/e2e-readers" });
  await expect
    .poll(
      () =>
        withDb(
          async (db) =>
            (
              await db.query(
                "SELECT count(*)::int AS n FROM machine m JOIN cluster c ON c.id = m.cluster_id WHERE c.name = $1 AND m.kube_node <> ''",
                [cluster],
              )
            ).rows[0].n,
        ),
      { timeout: 60_000, message: "the cluster's Kubernetes nodes collected" },
    )
    .toBeGreaterThan(0);

  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Kubernetes read access" });
  await expect(card.getByText("No read-only kubeconfig")).toBeVisible();
  await card.getByLabel("Cluster").selectOption(cluster);
  await card.getByLabel("Read-only kubeconfig").fill(await kubeconfig(cluster, "admin", ["system:masters"]));
  await card.getByRole("button", { name: "Check and import" }).click();
  await expect(card.getByRole("alert")).toContainText("admin may change nodes (cordon them)");
  await expect(card.getByRole("alert")).toContainText("it is not read-only");

  await card
    .getByLabel("Read-only kubeconfig")
    .fill(await kubeconfig(cluster, "fleet-reader", ["fleet:readers"]));
  await card.getByRole("button", { name: "Check and import" }).click();
  await expect(
    card.getByText(`Minos now reads cluster ${cluster}'s Kubernetes API as fleet-reader.`),
  ).toBeVisible();
  const row = card.getByRole("row", { name: new RegExp(cluster) });
  await expect(row).toContainText("fleet-reader");
  // The kubeconfig does not come back to the browser: the field is empty and the row has no key material.
  await expect(card.getByLabel("Read-only kubeconfig")).toHaveValue("");
  await shot(page, "settings-kube-readers");

  await row.getByRole("button", { name: "Remove…" }).click();
  await row.getByRole("button", { name: "Remove", exact: true }).click();
  await expect(
    card.getByText(`Minos reads cluster ${cluster} with its admin kubeconfig again`),
  ).toBeVisible();
  await expect(card.getByRole("row", { name: new RegExp(cluster) })).toHaveCount(0);
});
