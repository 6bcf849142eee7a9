// What a rollout's page says while it waits and after it is aborted, in the browser against the simulator:
// approved while its site's maintenance window is closed, each machine and the wave say what they wait
// for and until when; aborted, the wave reads "stopped (aborted)" and its machines "not started
// (aborted)" — nothing on the page still says running or pending.
import { expect, test } from "@playwright/test";
import { shot, withDb } from "./database";
import { createUser, mutate, pageAs, signIn } from "./helpers";
import { type SimulatedFleet, startSimulatedFleet } from "./simulated-fleet";

const SITE = "eu/se/e2e-states";
const SLOW = { timeout: 30_000 };
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

let fleet: SimulatedFleet;

test.beforeAll(async () => {
  fleet = await startSimulatedFleet({
    name: "states",
    seed: "states",
    nodesPerCluster: 5,
    healthy: true,
    talosVersion: "v1.13.9",
  });
});
test.afterAll(async () => {
  await withDb((db) => db.query("DELETE FROM rollout WHERE name LIKE 'e2e states %'"));
  await fleet?.stop();
});

test("a rollout held by a closed window says why and until when; aborted, nothing says running or pending", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const cluster = fleet.clusterNames[0] ?? "";
  await signIn(page);
  await mutate(page, "inventory.import", { talosconfig: fleet.sim.talosconfig, site: SITE });
  const suffix = Date.now().toString(36);
  const operator = await createUser(page, `otto-${suffix}`, "operator");
  const approver = await createUser(page, `anna-${suffix}`, "approver");
  const workers = await expect
    .poll(
      () =>
        withDb(
          async (db) =>
            (
              await db.query(
                "SELECT m.id FROM machine m JOIN cluster c ON c.id = m.cluster_id WHERE c.name = $1 AND m.role = 'worker' AND m.health = 'healthy' ORDER BY m.hostname",
                [cluster],
              )
            ).rows.length,
        ),
      { timeout: 60_000, message: "the workers collected healthy" },
    )
    .toBeGreaterThan(0)
    .then(() =>
      withDb(async (db) =>
        (
          await db.query(
            "SELECT m.id FROM machine m JOIN cluster c ON c.id = m.cluster_id WHERE c.name = $1 AND m.role = 'worker' ORDER BY m.hostname",
            [cluster],
          )
        ).rows.map((r) => r.id as string),
      ),
    );

  // A viewer of this site only: its health history starts when Minos learnt of these machines, and the
  // hours before are no data, not zero machines.
  const viewer = await pageAs(
    browser,
    await (async () => {
      const v = { username: `vera-${suffix}`, password: "Sturdy-e2e-passphrase-1" };
      await mutate(page, "users.create", { ...v, grants: [{ role: "viewer", scope: `site:${SITE}` }] });
      return v;
    })(),
  );
  await viewer.goto("/fleet");
  await expect(viewer.getByTestId("history-no-data")).toContainText(
    "Minos did not know these machines yet",
    SLOW,
  );
  await viewer.close();

  // One worker is locked: the plan leaves it out, and the rollout keeps it with the reason.
  expect(workers.length).toBeGreaterThanOrEqual(2);
  const lockedId = workers[workers.length - 1] ?? "";
  await mutate(page, "rollouts.locks.lock", {
    target: { kind: "machine", id: lockedId },
    reason: "disk swap on Friday",
  });
  const planned = workers.slice(0, -1);

  // A window only on the day after tomorrow (UTC): closed now, whatever the time.
  const day = (new Date().getUTCDay() + 2) % 7;
  const op = await pageAs(browser, operator);
  const name = `e2e states ${suffix}`;
  const created = (await mutate(op, "rollouts.create", {
    name,
    installerImage: "ghcr.io/siderolabs/installer:v1.14.0-rc.1",
    scope: { machineIds: workers },
    wavePlan: { canary: { kind: "none" }, waves: [{ kind: "percent", percent: 100 }] },
    safety: { windows: [{ site: SITE, timeZone: "UTC", days: [DAYS[day]], start: "02:00", end: "04:00" }] },
  })) as { id: string };

  const ap = await pageAs(browser, approver);
  await ap.goto(`/rollouts/${created.id}`);
  await ap.getByRole("button", { name: /^Approve wave 1/ }).click();

  // The locked machine is kept as left out of the plan, with why.
  const lockedHost = await withDb(
    async (db) => (await db.query("SELECT hostname FROM machine WHERE id = $1", [lockedId])).rows[0].hostname,
  );
  const leftOut = ap.getByRole("region", { name: "Left out of the plan" });
  await expect(leftOut.getByRole("row", { name: lockedHost })).toContainText("disk swap on Friday", SLOW);

  // Every waiting machine, and the wave, say what they wait for and until when.
  const reason = `waiting for the maintenance window of ${SITE}, opens ${NAMES[day]} 02:00 UTC`;
  const wave = ap.getByRole("listitem", { name: /^Wave 1/ });
  for (const id of planned) {
    const hostname = await withDb(
      async (db) => (await db.query("SELECT hostname FROM machine WHERE id = $1", [id])).rows[0].hostname,
    );
    const row = wave.getByRole("row", { name: hostname });
    await expect(row.getByText("waiting", { exact: true })).toBeVisible(SLOW);
    await expect(row.getByTestId("machine-detail")).toHaveText(new RegExp(`^${reason} \\(in \\d+ (days|h)`));
  }
  await expect(wave.getByTestId("wave-detail")).toHaveText(
    `${planned.length} ${planned.length === 1 ? "machine" : "machines"} ${reason}`,
  );
  await expect(wave.getByText("waiting", { exact: true }).first()).toBeVisible();
  await shot(ap, "rollout-held-by-window");

  // Aborted: the wave is stopped and its machines were never started; nothing says running or pending.
  await op.goto(`/rollouts/${created.id}`);
  op.once("dialog", (d) => void d.accept());
  await op.getByRole("button", { name: "Abort" }).click();
  const status = op.getByRole("region", { name: "Status" });
  await expect(status.getByText("aborted", { exact: true })).toBeVisible(SLOW);
  const opWave = op.getByRole("listitem", { name: /^Wave 1/ });
  await expect(opWave.getByText("stopped (aborted)")).toBeVisible(SLOW);
  await expect(opWave.getByText("not started (aborted)")).toHaveCount(planned.length);
  const timeline = op.getByRole("region", { name: "Waves" });
  for (const word of ["running", "pending", "waiting", "awaiting approval"]) {
    await expect(timeline.getByText(word, { exact: true })).toHaveCount(0);
  }
  // The outcome: nothing upgraded, what was not started and what was left out, and a follow-up for them.
  const outcome = op.getByRole("region", { name: "Outcome" });
  await expect(outcome.getByTestId("rollout-outcome")).toHaveText(
    `0 machines on v1.14.0-rc.1 · ${planned.length} not started · 1 left out of the plan`,
  );
  await shot(op, "rollout-aborted-states");
  // The audit trail says it in words, names the rollout with a link, and opens to the whole entry.
  await page.goto("/audit");
  await page.getByLabel("Action").fill("rollouts.control");
  await page.getByRole("button", { name: "Filter" }).click();
  const entry = page
    .getByRole("row", { name: new RegExp(`${operator.username} rollouts\\.control`) })
    .first();
  await expect(entry).toContainText("aborted the rollout", SLOW);
  await expect(entry.getByRole("link", { name: `rollout “${name}”` })).toHaveAttribute(
    "href",
    `/rollouts/${created.id}`,
  );
  await entry.getByRole("button", { name: "Details" }).click();
  await expect(page.getByRole("definition").filter({ hasText: '"control": "abort"' })).toBeVisible();
  await shot(page, "audit-entry-open");
  await outcome
    .getByRole("link", { name: `Plan a follow-up rollout for the ${workers.length} machines not upgraded` })
    .click();
  await expect(op).toHaveURL(/\/rollouts\/new\?machines=/);
  await expect(op.getByRole("radio", { name: `The ${workers.length} machines handed over` })).toBeChecked();
  await expect(op.getByLabel(/Installer image/)).toHaveValue("ghcr.io/siderolabs/installer:v1.14.0-rc.1");
  // The target is a version (the fleet's versions are suggested); the installer image follows it.
  await expect(op.getByLabel("Target Talos version")).toHaveValue("v1.14.0-rc.1");
  await op.getByLabel("Target Talos version").fill("v1.14.0");
  await expect(op.getByLabel(/Installer image/)).toHaveValue("ghcr.io/siderolabs/installer:v1.14.0");
  await expect(op.locator("datalist#known-talos-versions option[value='v1.13.9']")).toHaveCount(1);
  await shot(op, "rollout-follow-up-form");

  // Clusters are picked from the inventory (with their machines and health), not typed.
  await op.getByRole("radio", { name: "Clusters" }).check();
  await op.getByLabel("Find clusters").fill(cluster);
  const choice = op.getByRole("list", { name: "Clusters to choose from" }).getByRole("listitem").filter({
    hasText: cluster,
  });
  await expect(choice).toContainText(/\d+ machines/, SLOW);
  await choice.getByRole("checkbox").check();
  await expect(op.getByTestId("chosen-clusters")).toHaveText(`Chosen: ${cluster}`);
  await op.getByLabel("Name", { exact: true }).fill(`${name} follow-up`);
  await op.getByRole("button", { name: "Preview the plan" }).click();
  await expect(op.getByRole("region", { name: "Plan preview" })).toContainText("machines in scope", SLOW);
  await shot(op, "rollout-form-cluster-picker");
});
