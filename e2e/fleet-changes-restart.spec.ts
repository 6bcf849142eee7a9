// A tab stays live across a restart of the Minos instance it talks to. A second instance (no collector,
// sharing the run's database and secret key, as instances of one deployment do) serves the page; the
// run's own instance collects. While the second instance is down a fault reaches the database: once it is
// back, the tab's fleet-changes stream reconnects by itself and the list shows the missed change at once;
// a later change is pushed live again. Each wait is far shorter than the list's 15 s poll, which would
// otherwise hide a stream that never came back.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { freePort } from "../server/platform/runtime/free-port";
import { databaseUrl } from "./database";
import { admin, mutate, signIn } from "./helpers";
import { healthOnScreen, NOT_UNHEALTHY, stored, UNHEALTHY, WORKING } from "./machine-health";
import { type SimulatedFleet, serviceFault, startSimulatedFleet } from "./simulated-fleet";

const ROOT = path.resolve(import.meta.dirname, "..");

let fleet: SimulatedFleet;
let sim: RunningSimulator;
let port = 0;
let instance: ChildProcess | null = null;

/** Starts the second instance the way the README starts Minos, and waits until it is ready. */
async function startInstance(): Promise<void> {
  // The run's instance keeps its key in its data directory unless MINOS_SECRET_KEY gives it one.
  const secretKey =
    process.env.MINOS_SECRET_KEY ??
    (await readFile(path.join(process.env.E2E_DATA_DIR ?? "", "secret.key"), "utf8")).trim();
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: await databaseUrl(),
      MINOS_SECRET_KEY: secretKey,
      MINOS_DATA_DIR: path.join(fleet.stateDir, "instance"),
      PORT: String(port),
      HOST: "127.0.0.1",
      MINOS_ADMIN_PASSWORD: admin.password,
      MINOS_DEMO: "0",
      MINOS_COLLECTOR: "0",
      LOG_LEVEL: "warn",
    },
  });
  instance = child;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the second instance exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/api/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the second instance was not ready within 2 minutes");
}

async function stopInstance(): Promise<void> {
  const child = instance;
  instance = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({
    name: "restart",
    seed: "e2e-restart",
    nodesPerCluster: 4,
    healthy: true,
  });
  sim = fleet.sim;
  port = await freePort();
  await startInstance();
});

test.afterAll(async () => {
  await stopInstance();
  await fleet?.stop();
});

test("the machines list stays live across a restart of its Minos instance", async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
  const page = await context.newPage();
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: "eu/dk/e2e-restart" });
  const node = sim.clusters[0]?.nodes.find((n) => n.role === "worker");
  if (!node) throw new Error("the simulator has no worker");
  await stored(node.hostname, WORKING, "the collector finds the machine working");

  const streamOpen = () =>
    page.waitForResponse((r) => r.url().includes("/api/trpc/fleet.changes"), { timeout: 60_000 });
  const opened = streamOpen();
  await page.goto(`/machines?q=${encodeURIComponent(node.hostname)}`);
  await opened;
  await expect(healthOnScreen(page, node.hostname)).toHaveText(WORKING, { timeout: 15_000 });

  await stopInstance();
  await serviceFault(sim, node.address, "POST", { kind: "service", service: "kubelet", mode: "failed" });
  try {
    await stored(
      node.hostname,
      UNHEALTHY,
      "the fault reaches the database while the page's instance is down",
    );
    const reopened = streamOpen();
    await startInstance();
    await reopened;
    // The stream came back by itself (no reload); the change it missed is fetched as it reconnects.
    await expect(healthOnScreen(page, node.hostname)).toHaveText(UNHEALTHY, { timeout: 3_000 });
  } finally {
    await serviceFault(sim, node.address, "DELETE");
  }
  // And changes are pushed again.
  await stored(node.hostname, NOT_UNHEALTHY, "the cleared fault reaches the database");
  await expect(healthOnScreen(page, node.hostname)).toHaveText(NOT_UNHEALTHY, { timeout: 3_000 });
  await expect(page.getByText("The machines could not be loaded")).toHaveCount(0);
  await context.close();
});
