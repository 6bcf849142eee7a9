// What keeps rollouts safe, in the browser against the simulator: an operator locks a machine (the
// badge shows on its page and in the machines list, and the plan preview lists it as left out) and
// sets a maintenance window through the form (a wrong time zone is refused, naming the field); an
// approver finds the waiting wave on the fleet overview, follows it to the decision, and sees the
// estimate, the windows and the risk there.
import { expect, test } from "@playwright/test";
import type { RunningSimulator } from "@/sim";
import { shot, withDb } from "./database";
import { createUser, mutate, pageAs, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

const TARGET = "v1.14.0-rc.1";
/** After a navigation or a change: a loaded 2-core machine may take a while to show it. */
const SLOW = { timeout: 30_000 };
const SITE = "eu/dk/e2e-safeguards";

let fleet: SimulatedFleet;
let sim: RunningSimulator;
let clusterName = "";

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({ name: "safeguards", seed: "rollout-safeguards", nodesPerCluster: 5 });
  sim = fleet.sim;
  clusterName = fleet.clusterNames[0] ?? "";
});

test.afterAll(async () => {
  await withDb(async (db) => {
    await db.query("DELETE FROM rollout WHERE name LIKE 'e2e safeguards %'");
    await db.query("DELETE FROM maintenance_window WHERE site = $1", [SITE]);
  });
  await fleet?.stop();
});

test("an operator locks a machine and sets a window; an approver finds the wave on the fleet overview and weighs it", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: sim.talosconfig, site: SITE });
  const suffix = Date.now().toString(36);
  const operator = await createUser(page, `otto-${suffix}`, "operator");
  const approver = await createUser(page, `ada-${suffix}`, "approver");
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
  const locked = `${clusterName}-w-1`;
  const op = await pageAs(browser, operator);

  // Lock a worker from its page: the badge says why, who and when, there and in the machines list.
  await op.goto(`/machines?cluster=${clusterName}`);
  await op.getByRole("link", { name: locked, exact: true }).click();
  const lockCard = op.getByRole("region", { name: "Rollout lock" });
  await lockCard.getByLabel("Reason for a lock").fill("disk swap on Friday");
  await lockCard.getByRole("button", { name: "Lock against rollouts" }).click();
  await expect(
    lockCard.getByText(
      new RegExp(`^locked: disk swap on Friday \\(by ${operator.username}, (just now|\\d+ s ago)\\)$`),
    ),
  ).toBeVisible(SLOW);
  await shot(op, "safeguards-machine-locked");
  await op.goto(`/machines?cluster=${clusterName}`);
  const row = op.getByRole("row").filter({ has: op.getByRole("link", { name: locked, exact: true }) });
  await expect(row.getByText(/^locked: disk swap on Friday \(by /)).toBeVisible(SLOW);

  // A maintenance window through the form: a time zone that does not exist is refused by name.
  await op.goto("/rollouts");
  await op.getByRole("link", { name: "Maintenance windows" }).click();
  const form = op.getByRole("form", { name: "New maintenance window" });
  await form.getByLabel("Sites").fill(SITE);
  await form.getByLabel("Time zone").fill("Europe/Aarhus");
  await form.getByRole("button", { name: "Add the window" }).click();
  await expect(form.getByText(/^Time zone "Europe\/Aarhus" is not one this browser knows/)).toBeVisible();
  await form.getByLabel("Time zone").fill("Europe/Copenhagen");
  await form.getByLabel("Opens at").fill("22:00");
  await form.getByLabel("Duration, hours").fill("4");
  await form.getByRole("button", { name: "Add the window" }).click();
  const window = op.getByRole("row", { name: `Window ${SITE}` });
  await expect(window.getByText("Sat, Sun 22:00 for 4 h")).toBeVisible(SLOW);
  await expect(window.getByText("Europe/Copenhagen", { exact: true })).toBeVisible();
  // Open now, or when it opens next: in the site's time (CET/CEST) and the viewer's.
  await expect(
    window.getByRole("cell", { name: /(Sat|Sun),? \d+ \w+,? \d\d:\d\d (CET|CEST|GMT\+1|GMT\+2)/ }).first(),
  ).toBeVisible();
  await shot(op, "safeguards-maintenance-windows");

  // The plan leaves the locked machine out and says why.
  await op.goto("/rollouts/new");
  const name = `e2e safeguards ${suffix}`;
  await op.getByLabel("Name").fill(name);
  await op.getByLabel(/Installer image/).fill(`ghcr.io/siderolabs/installer:${TARGET}`);
  await op.getByLabel(/^Selector/).fill(`cluster=${clusterName}`);
  await op.getByRole("button", { name: "Preview the plan" }).click();
  const lockedList = op.getByRole("region", { name: "Locked machines" });
  await expect(
    // The reason and its author are isolated from Minos's words (a U+202E in a reason cannot reorder them).
    lockedList.getByText(
      `machine locked: \u2068disk swap on Friday\u2069 (by \u2068${operator.username}\u2069)`,
    ),
  ).toBeVisible(SLOW);
  await expect(lockedList.getByRole("link", { name: locked })).toBeVisible();
  await shot(op, "safeguards-plan-preview");
  await op.getByRole("button", { name: "Create rollout" }).click();
  await expect(op).toHaveURL(/\/rollouts\/[0-9a-f-]{36}$/);
  // Not an approver: no waiting card on the fleet overview.
  await op.goto("/fleet");
  await expect(op.getByRole("region", { name: "Needs attention" })).toBeVisible(SLOW);
  await expect(op.getByRole("region", { name: "Waiting for your approval" })).toHaveCount(0);

  // The approver finds the wave on the fleet overview and follows it to the decision.
  const ap = await pageAs(browser, approver);
  await ap.goto("/fleet");
  const waiting = ap.getByRole("region", { name: "Waiting for your approval" });
  const entry = waiting.getByRole("row").filter({ hasText: name });
  await expect(entry.getByText("Canary")).toBeVisible(SLOW);
  await expect(entry.getByText(operator.username)).toBeVisible();
  await shot(ap, "safeguards-fleet-pending");
  await entry.getByRole("link", { name, exact: true }).click();
  await expect(ap).toHaveURL(/\/rollouts\/[0-9a-f-]{36}#decision$/);

  // The decision, with what to weigh: estimate, when it can start, risk.
  const briefing = ap.getByRole("region", { name: "Before deciding on canary" });
  const estimate = briefing.getByRole("region", { name: "Estimated duration" });
  await expect(estimate.getByText(/^about \d/)).toBeVisible(SLOW);
  await expect(
    estimate.getByText(
      /No measured upgrades yet — estimate from defaults|the median of (the one upgrade|the last \d+ upgrades) Minos measured/,
    ),
  ).toBeVisible();
  const start = briefing.getByRole("region", { name: "When it can start" });
  // The site's window decides: open now, or the wave waits for its next opening.
  await expect(start.getByText(/^Can start (now|.+ \(your time\))\.$/)).toBeVisible();
  await expect(
    start
      .getByRole("listitem")
      .filter({ hasText: SITE })
      .filter({ hasText: /window open now|opens .+ there/ }),
  ).toBeVisible();
  const risk = briefing.getByRole("region", { name: "Risk" });
  await expect(risk.getByText("Every target is healthy now.")).toBeVisible();
  await expect(risk.getByText("No target has open drift.")).toBeVisible();
  await expect(risk.getByText("This is the first wave.")).toBeVisible();
  await expect(ap.getByRole("button", { name: "Approve canary" })).toBeVisible();
  await shot(ap, "safeguards-decision");
});
