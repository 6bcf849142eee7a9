// Fleet changes in the browser, against the bundled simulator: with the machines list open, a service
// fault injected through the simulator's control API, and then cleared, shows as the machine's new
// health within 3 s of the database having it — pushed to the page, not waited for by polling (the
// list's poll is 15 s; even the old 5 s poll would miss this often). Measured from when the database
// has the change, so a slow collector on a loaded machine does not count against the page.
import { expect, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { shot } from "./database";
import { mutate, signIn } from "./helpers";
import { healthOnScreen, machineRow, NOT_UNHEALTHY, stored, UNHEALTHY, WORKING } from "./machine-health";
import { type SimulatedFleet, serviceFault, startSimulatedFleet } from "./simulated-fleet";

let fleet: SimulatedFleet;
let sim: RunningSimulator;

/** Notes in the report how long the page took once the database had the change. */
const seen = (what: string, ms: number) =>
  test.info().annotations.push({ type: "on screen after", description: `${what}: ${ms} ms` });

test.beforeAll(async () => {
  // Every machine starts working; the test's own fault is the only one.
  fleet = await startSimulatedFleet({
    name: "fleet-changes",
    seed: "e2e-fleet-changes",
    nodesPerCluster: 4,
    healthy: true,
  });
  sim = fleet.sim;
});

test.afterAll(async () => {
  await fleet?.stop();
});

test("the machines list shows a machine's new health within 3 s of the database having it", async ({
  page,
}) => {
  test.setTimeout(150_000);
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: "eu/dk/e2e-fleet-changes" });
  const node = sim.clusters[0]?.nodes.find((n) => n.role === "worker");
  if (!node) throw new Error("the simulator has no worker");
  await stored(node.hostname, WORKING, "the collector finds the machine working");

  // The tab's fleet-changes stream is open once its response has started.
  const live = page.waitForResponse((r) => r.url().includes("/api/trpc/fleet.changes"), { timeout: 30_000 });
  await page.goto(`/machines?q=${encodeURIComponent(node.hostname)}`);
  await live;
  await expect(healthOnScreen(page, node.hostname)).toHaveText(WORKING, { timeout: 15_000 });

  await serviceFault(sim, node.address, "POST", { kind: "service", service: "kubelet", mode: "failed" });
  try {
    await stored(node.hostname, UNHEALTHY, "the fault reaches the database");
    const broken = Date.now();
    await expect(healthOnScreen(page, node.hostname)).toHaveText(UNHEALTHY, { timeout: 3_000 });
    seen("fault", Date.now() - broken);
    // And why, in the row itself.
    await expect(machineRow(page, node.hostname)).toContainText("kubelet failed");
    await shot(page, "fleet-changes-unhealthy");
  } finally {
    await serviceFault(sim, node.address, "DELETE");
  }
  await stored(node.hostname, NOT_UNHEALTHY, "the cleared fault reaches the database");
  const cleared = Date.now();
  await expect(healthOnScreen(page, node.hostname)).toHaveText(NOT_UNHEALTHY, { timeout: 3_000 });
  seen("cleared fault", Date.now() - cleared);
});
