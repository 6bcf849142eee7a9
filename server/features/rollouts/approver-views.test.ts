// What approvers see: the briefing on a wave (estimate from measured upgrades, windows, health, drift,
// earlier failures — by scope) and the waves waiting for their decision (four eyes and scope applied).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { seedInventory } from "../../testing/seed-inventory";
import { DEFAULT_MACHINE_MINUTES } from "./estimate";

let database: TestDatabase;
let ids: Map<string, string>;
const olivia = principalWith("olivia", "operator", "approver");
const abe = principalWith("abe", "approver");
const usApprover = principalWith("uma", { role: "approver", scope: "site:us/*" });
const asiaApprover = principalWith("ari", { role: "approver", scope: "site:asia/*" });
const vic = principalWith("vic", "viewer");
const as = (p: typeof olivia) => createCaller(createContextInner({ db: database.db, principal: p }));
const MIN = 60_000;

beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedInventory(database.db, [
    {
      name: "aarhus",
      site: "eu/dk/aarhus",
      machines: [{ hostname: "aarhus-cp" }, { hostname: "aarhus-w1" }, { hostname: "aarhus-w2" }],
    },
    {
      name: "austin",
      site: "us/tx/austin",
      machines: [{ hostname: "austin-cp" }, { hostname: "austin-w1" }],
    },
  ]);
}, 60_000);
afterAll(() => database?.drop());

const spec = {
  name: "to 1.12",
  installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
  scope: { selector: "" },
  wavePlan: { canary: { kind: "per-cluster" as const, count: 1 }, waves: [] },
  safety: { bakeMinutes: 15, allowSingleControlPlane: true },
};

describe("the approver's views", () => {
  it("brief the approver on a wave and list what waits for them", async () => {
    const { id } = await as(olivia).rollouts.create(spec);

    // Nothing measured yet: the estimate says it comes from defaults.
    let b = await as(abe).rollouts.briefing({ id, waveIndex: 0 });
    expect(b.wave).toMatchObject({ name: "Canary", machines: 2, visible: 2 });
    expect(b.estimate).toMatchObject({ measured: 0, perMachineMs: DEFAULT_MACHINE_MINUTES * MIN, rounds: 1 });
    expect(b.estimate.totalMs).toBe((DEFAULT_MACHINE_MINUTES + 15) * MIN);
    expect(b.health.byHealth).toEqual({ healthy: 2 });
    expect(b.earlierFailures).toEqual([]);

    // Waiting: for everyone who may approve it in their scope, except its author.
    expect(
      (await as(abe).rollouts.pendingApprovals()).map((p) => `${p.rollout} ${p.wave} ${p.createdBy}`),
    ).toEqual(["to 1.12 Canary olivia"]);
    expect(await as(olivia).rollouts.pendingApprovals()).toEqual([]);
    expect((await as(usApprover).rollouts.pendingApprovals()).length).toBe(1);
    expect(await as(asiaApprover).rollouts.pendingApprovals()).toEqual([]);
    await expect(as(vic).rollouts.pendingApprovals()).rejects.toThrow(/approver or admin/);

    // The canary ran: one machine done in 4 minutes, one failed; earlier rollouts measured 3 and 8.
    await as(abe).rollouts.decide({ rolloutId: id, waveIndex: 0, revision: 1, approve: true, comment: "" });
    expect(await as(abe).rollouts.pendingApprovals()).toEqual([]);
    const now = Date.now();
    const canaryDone = new Date(now - 5 * MIN);
    await database.db.rolloutMachine.updateMany({
      where: { rolloutId: id, machineId: ids.get("austin/austin-w1") },
      data: { phase: "done", inFlightSince: new Date(now - 9 * MIN), finishedAt: canaryDone },
    });
    await database.db.rolloutMachine.updateMany({
      where: { rolloutId: id, machineId: ids.get("aarhus/aarhus-w1") },
      data: { phase: "failed", attempt: 1, error: "not done after 30 minutes (upgrading)" },
    });
    await database.db.rolloutWave.updateMany({
      where: { rolloutId: id, index: 0 },
      data: { status: "done", finishedAt: canaryDone },
    });
    await database.db.rollout.update({ where: { id }, data: { currentWave: 1 } });
    const old = await database.db.rollout.create({
      data: {
        name: "an older one",
        targetVersion: "v1.11.5",
        installerImage: "ghcr.io/siderolabs/installer:v1.11.5",
        wavePlan: {},
        safety: {},
        status: "completed",
        createdById: abe.userId,
        createdBy: "abe",
        lastChangedById: abe.userId,
        lastChangedBy: "abe",
      },
    });
    for (const [i, minutes] of [3, 8].entries()) {
      await database.db.rolloutMachine.create({
        data: {
          rolloutId: old.id,
          machineId: ids.get(i ? "aarhus/aarhus-cp" : "austin/austin-cp") as string,
          waveIndex: 0,
          position: i,
          phase: "done",
          inFlightSince: new Date(now - 60 * MIN),
          finishedAt: new Date(now - (60 - minutes) * MIN),
        },
      });
    }

    // Now: austin-cp went unhealthy, aarhus-w2 drifted (aarhus-cp's drift is acknowledged), and the
    // Danish sites have a maintenance window that is closed now.
    await database.db.machine.update({
      where: { id: ids.get("austin/austin-cp") },
      data: { health: "unhealthy", healthReason: "etcd is not healthy", lastSeenAt: new Date() },
    });
    for (const host of ["aarhus-w2", "aarhus-cp"]) {
      await database.db.driftItem.create({
        data: {
          machineId: ids.get(`aarhus/${host}`) as string,
          field: "extensions",
          kind: "extensions",
          declared: ["siderolabs/iscsi-tools"],
          actual: [],
          state: "drifted",
          baselineId: crypto.randomUUID(),
          baselineName: "eu-dk",
          since: new Date(),
        },
      });
    }
    // austin-cp drifted from its declared Talos version, the very target of this rollout: the rollout
    // fixes that drift, so it is no risk of the wave.
    await database.db.driftItem.create({
      data: {
        machineId: ids.get("austin/austin-cp") as string,
        field: "talosVersion",
        kind: "talosVersion",
        declared: "v1.12.0",
        actual: "v1.11.5",
        state: "drifted",
        baselineId: crypto.randomUUID(),
        baselineName: "fleet",
        since: new Date(),
      },
    });
    await database.db.driftAcknowledgement.create({
      data: {
        machineId: ids.get("aarhus/aarhus-cp") as string,
        field: "extensions",
        reason: "known",
        expiresAt: new Date(now + 60 * MIN),
        createdBy: "abe",
      },
    });
    const hour = new Date().getUTCHours();
    await as(olivia).rollouts.maintenanceWindows.add({
      site: "eu/dk/*",
      timeZone: "UTC",
      days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
      start: `${String((hour + 12) % 24).padStart(2, "0")}:00`,
      durationMinutes: 120,
    });

    // The rest waits, since the canary finished; its briefing says what the approver should know.
    const pending = await as(abe).rollouts.pendingApprovals();
    expect(pending).toMatchObject([
      { rolloutId: id, wave: "Remaining machines", waveIndex: 1, machines: 3, waitingSince: canaryDone },
    ]);
    b = await as(abe).rollouts.briefing({ id, waveIndex: 1 });
    expect(b.wave).toMatchObject({ name: "Remaining machines", machines: 3, visible: 3 });
    // Median of 3, 4 and 8 minutes; aarhus has a control plane and a worker at once: one round.
    expect(b.estimate).toMatchObject({ measured: 3, perMachineMs: 4 * MIN, rounds: 1, upgradeMs: 4 * MIN });
    expect(b.estimate.totalMs).toBe(19 * MIN);
    expect(b.health.byHealth).toEqual({ healthy: 2, unhealthy: 1 });
    expect(b.health.notHealthy).toMatchObject([
      { hostname: "austin-cp", health: "unhealthy", reason: "etcd is not healthy" },
    ]);
    expect(b.drift).toMatchObject({ machines: 1, listed: [{ hostname: "aarhus-w2" }] });
    expect(b.earlierFailures).toMatchObject([
      { hostname: "aarhus-w1", wave: "Canary", error: "not done after 30 minutes (upgrading)" },
    ]);
    // Austin has no window, so the wave can start now; Aarhus waits for its window.
    expect(b.startsAt?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(b.sites.map((s) => [s.site, s.unrestricted, s.open])).toEqual([
      ["eu/dk/aarhus", false, false],
      ["us/tx/austin", true, true],
    ]);
    expect(b.sites[0]?.opensAt?.getUTCHours()).toBe((hour + 12) % 24);
    expect(b.windows).toMatchObject([{ site: "eu/dk/*", source: "site", durationMinutes: 120, open: false }]);

    // A reader scoped to the US sees the totals, but nothing named from Denmark.
    const us = await as(principalWith("una", { role: "viewer", scope: "site:us/*" })).rollouts.briefing({
      id,
      waveIndex: 1,
    });
    expect(us.wave).toMatchObject({ machines: 3, visible: 1 });
    expect(JSON.stringify(us)).not.toContain("aarhus");
    expect(JSON.stringify(us)).not.toContain("eu/dk");

    // A wave approved in advance does not wait for anyone.
    await database.db.rolloutWave.updateMany({
      where: { rolloutId: id, index: 1 },
      data: { autoAdvance: true },
    });
    expect(await as(abe).rollouts.pendingApprovals()).toEqual([]);
  });
});
