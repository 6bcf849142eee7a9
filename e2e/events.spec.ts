// Machine events in the browser, against the bundled simulator: watch a machine's timeline while the
// simulator restarts a service (through its control API) and see the events arrive without a reload;
// search the fleet-wide events page through its URL and its form; hostile event text stays text.
import { expect, type Page, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { shot, withDb } from "./database";
import { mutate, signIn } from "./helpers";
import { type SimulatedFleet, serviceFault, startSimulatedFleet } from "./simulated-fleet";

const HOSTILE = "<img src=x onerror=alert(1)>e2e-hostile-event";

let fleet: SimulatedFleet;
let sim: RunningSimulator;

/** The worker the tests watch (its fleet imported if not yet), once the collector has stored its history. */
async function watchedMachine(page: Page): Promise<{ id: string; hostname: string; address: string }> {
  const imported = await withDb(async (db) => {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM cluster WHERE name = ANY($1)", [
      fleet.clusterNames,
    ]);
    return rows[0].n > 0;
  });
  if (!imported) {
    await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: "eu/dk/e2e-events" });
  }
  const node = sim.clusters[0]?.nodes.find((n) => n.role === "worker");
  if (!node) throw new Error("the simulator has no worker");
  let id = "";
  await expect
    .poll(
      async () =>
        withDb(async (db) => {
          const { rows } = await db.query(
            `SELECT m.id, count(e.id)::int AS events FROM machine m LEFT JOIN machine_event e ON e.machine_id = m.id
             WHERE m.hostname = $1 GROUP BY m.id`,
            [node.hostname],
          );
          id = rows[0]?.id ?? "";
          return rows[0]?.events ?? 0;
        }),
      { timeout: 60_000, message: "the collector stores the machine's events" },
    )
    .toBeGreaterThan(10);
  return { id, hostname: node.hostname, address: node.address };
}

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({ name: "events", seed: "e2e-events", nodesPerCluster: 4 });
  sim = fleet.sim;
});

test.afterAll(async () => {
  await fleet?.stop();
});

test("a machine's timeline shows a service restart live, without a reload", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  const m = await watchedMachine(page);

  await page.goto(`/machines/${m.id}/events`);
  await expect(page.getByRole("heading", { name: m.hostname })).toBeVisible();
  await expect(
    page.getByRole("link", { name: "Events" }).and(page.locator("[aria-current=page]")),
  ).toBeVisible();
  // History from before the page opened: the boot, decoded into sentences.
  await expect(page.getByText(/^Phase \w+ finished in /).first()).toBeVisible();
  await expect(page.getByText(/^Live: new events appear as they happen/)).toBeVisible({ timeout: 15_000 });
  await page.evaluate(() => {
    (window as unknown as { e2eNoReload: boolean }).e2eNoReload = true;
  });

  await serviceFault(sim, m.address, "POST", {
    kind: "service",
    service: "kubelet",
    mode: "flapping",
    periodMs: 20_000,
  });
  try {
    await expect(
      page.getByText("Service kubelet failed: Failed to run service: exit status 1").first(),
    ).toBeVisible({
      timeout: 15_000,
    });
    await expect(page.getByText(/^Service kubelet is running/).first()).toBeVisible();
  } finally {
    await serviceFault(sim, m.address, "DELETE");
  }
  expect(await page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload)).toBe(true);
  await shot(page, "events-machine-live");

  // Only service events, and the filter is in the URL.
  await page.getByRole("group", { name: "Kinds of events" }).getByText("Service", { exact: true }).click();
  await expect(page).toHaveURL(/kind=serviceState/);
  await expect(page.getByRole("list", { name: "Events" }).locator("li").first()).toBeVisible();
  const kinds = await page
    .getByRole("list", { name: "Events" })
    .locator("li")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-kind")));
  expect(kinds.length).toBeGreaterThan(0);
  expect(new Set(kinds)).toEqual(new Set(["serviceState"]));
});

test("the fleet-wide events page searches by its URL and its form; event text stays text", async ({
  page,
}) => {
  await signIn(page);
  const m = await watchedMachine(page);
  await withDb((db) =>
    db.query(
      `INSERT INTO machine_event (machine_id, cluster_id, event_id, at, kind, payload, message)
       SELECT id, cluster_id, 'e2ehostile0000000001', now(), 'configLoadError', $2, $3 FROM machine WHERE id = $1
       ON CONFLICT DO NOTHING`,
      [
        m.id,
        JSON.stringify({ type: "configLoadError", error: HOSTILE }),
        `Configuration could not be loaded: ${HOSTILE}`,
      ],
    ),
  );

  await page.goto(`/events?machine=${encodeURIComponent(m.hostname)}&kind=phase&q=finished+in`);
  const results = page.getByRole("region", { name: "Search results" });
  await expect(results.getByText(/^Phase \w+ finished in /).first()).toBeVisible();
  const kinds = await results
    .locator("li")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-event-kind")));
  expect(new Set(kinds)).toEqual(new Set(["phase"]));
  await expect(results.getByRole("link", { name: m.hostname }).first()).toHaveAttribute(
    "href",
    `/machines/${m.id}/events`,
  );
  await shot(page, "events-search");

  // The form: clear, search by text, the URL follows.
  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Text").fill("e2e-hostile-event");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=e2e-hostile-event/);
  await expect(results.getByText(`Configuration could not be loaded: ${HOSTILE}`)).toBeVisible();
  expect(await page.locator("img[src=x]").count()).toBe(0);

  // A site outside the machine's finds nothing.
  await page.goto("/events?site=us%2F");
  await expect(page.getByRole("heading", { name: "No events match" })).toBeVisible();
});
