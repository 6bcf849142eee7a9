// Rollouts end to end against the simulator (time compressed) and a real Postgres: four eyes, a plan
// change voiding an approval, waves with approvals, control planes one at a time, the pull cap at the
// simulated registry, exactly one reboot per machine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/sim";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { eventually } from "../../testing/collector-fleet";
import type { TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { type RolloutTestFleet, startRolloutTestFleet, testLog } from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";

let database: TestDatabase;
let sim: RunningSimulator;
let secretKey: SecretKey;
const log = testLog;
const alice = principalWith("alice", "operator", "approver");
const bob = principalWith("bob", "approver");
const as = (p: typeof alice) => createCaller(createContextInner({ db: database.db, principal: p }));
const TARGET = "v1.14.0-rc.1";

interface SimNode {
  hostname: string;
  role: string;
  cluster: string;
  stage: string;
  talosVersion: string;
  bootCount: number;
}
const control = async <T>(p: string, init?: RequestInit): Promise<T> =>
  (await (await fetch(`${sim.controlUrl}${p}`, init)).json()) as T;
const nodeDetail = (hostname: string) => control<SimNode>(`/nodes/${hostname}`);

let fleet: RolloutTestFleet | undefined;
beforeAll(async () => {
  fleet = await startRolloutTestFleet({ clusters: 3, timeScale: 100, users: [alice, bob] });
  ({ database, sim, secretKey } = fleet);
}, 90_000);
afterAll(() => fleet?.stop());

const spec = (over: Record<string, unknown> = {}) => ({
  name: "to 1.14",
  installerImage: `ghcr.io/siderolabs/installer:${TARGET}`,
  scope: { selector: "" },
  wavePlan: { canary: { kind: "per-cluster" as const, count: 1 }, waves: [] },
  safety: {
    workersPerCluster: 1,
    fleetConcurrency: 4,
    siteConcurrency: 4,
    prePull: true,
    fleetPulls: 2,
    sitePulls: 2,
    windows: [],
    bakeMinutes: 0,
    failureBudget: { kind: "count" as const, value: 0 },
    machineTimeoutMinutes: 10,
    allowSingleControlPlane: false,
  },
  ...over,
});

describe("rollouts against the simulator", { timeout: 240_000 }, () => {
  it("plans, enforces four eyes, voids an approval on a plan change, runs the approved canary, holds wave 2 for its approval, then completes it (pull cap held, control planes one at a time, each machine rebooted once), and shows rollouts by scope", async () => {
    const preview = await as(alice).rollouts.preview(spec());
    expect(preview.planned).toBeGreaterThan(3);
    expect(preview.waves[0]?.name).toBe("Canary");

    const { id } = await as(alice).rollouts.create(spec());
    // Four eyes: the creator cannot approve, even holding the approver role.
    await expect(
      as(alice).rollouts.decide({
        rolloutId: id,
        waveIndex: 0,
        revision: 1,
        approve: true,
        comment: "",
        autoAdvance: false,
      }),
    ).rejects.toThrow(/someone else must approve it \(four-eyes rule\)/);
    // Audited as a refusal, as docs/rollouts.md says ("rollouts.decide denied"), not as an error.
    const refusal = await fleet?.database.db.auditEntry.findFirst({
      where: { action: "rollouts.decide", actor: "alice" },
      orderBy: { id: "desc" },
    });
    expect(refusal?.result).toBe("denied");

    // An approval, then a plan change: the approval is void and a decision on the old revision refused.
    await as(bob).rollouts.decide({
      rolloutId: id,
      waveIndex: 0,
      revision: 1,
      approve: true,
      comment: "ok",
      autoAdvance: false,
    });
    const changed = await as(alice).rollouts.change({
      id,
      spec: spec({
        wavePlan: { canary: { kind: "per-cluster", count: 1 }, waves: [{ kind: "percent", percent: 100 }] },
      }),
    });
    expect(changed.voidedApprovals).toBe(1);
    let r = await as(bob).rollouts.byId({ id });
    expect(r.status).toBe("pending");
    expect(r.waves[0]?.status).toBe("pending");
    await expect(
      as(bob).rollouts.decide({
        rolloutId: id,
        waveIndex: 0,
        revision: 1,
        approve: true,
        comment: "",
        autoAdvance: false,
      }),
    ).rejects.toThrow(/changed since you opened it/);
    await as(bob).rollouts.decide({
      rolloutId: id,
      waveIndex: 0,
      revision: 2,
      approve: true,
      comment: "canary",
      autoAdvance: false,
    });

    const planned = r.machines;
    const before = new Map<string, SimNode>();
    for (const m of planned) before.set(m.machine.hostname, await nodeDetail(m.machine.hostname));
    await control("/registry/reset", { method: "POST" });

    // Watch the fleet: control planes down at once per cluster.
    let maxCpDown = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const fleet = await control<{ clusters: { name: string; nodes: SimNode[] }[] }>("/fleet");
        for (const c of fleet.clusters) {
          const down = c.nodes.filter((n) => n.role === "controlplane" && n.stage !== "RUNNING").length;
          maxCpDown = Math.max(maxCpDown, down);
        }
        await new Promise((res) => setTimeout(res, 50));
      }
    })();

    const opts = { db: database.db, log, secretKey, leaseMs: 2_000, passMs: 200, followMs: 200 };
    const a = new RolloutReconciler(opts).start();
    await eventually(
      async () => (await database.db.rollout.findUniqueOrThrow({ where: { id } })).currentWave === 1,
      90_000,
      "the canary wave done",
    );
    r = await as(bob).rollouts.byId({ id });
    expect(r.waves[0]?.status).toBe("done");
    expect(r.waves[1]?.status).toBe("pending");
    expect(r.machines.filter((m) => m.waveIndex === 0).every((m) => m.phase === "done")).toBe(true);
    // Nothing of wave 2 starts without its approval.
    expect(r.machines.filter((m) => m.waveIndex === 1).every((m) => m.phase === "pending")).toBe(true);

    // Wave 2: approved by bob, runs to completion.
    await as(bob).rollouts.decide({
      rolloutId: id,
      waveIndex: 1,
      revision: 2,
      approve: true,
      comment: "rest",
      autoAdvance: false,
    });
    // Wave 2 holds the cluster's API endpoint (its first control plane): while it reboots, nothing
    // else of the cluster may be in flight, or its requests fail for want of a way in.
    await eventually(
      async () => (await database.db.rollout.findUniqueOrThrow({ where: { id } })).status === "completed",
      120_000,
      "the rollout completed",
    );
    r = await as(bob).rollouts.byId({ id });
    expect(r.waves.map((w) => w.status)).toEqual(["done", "done"]);
    expect(r.machines.length).toBe(planned.length);
    expect(r.machines.every((m) => m.phase === "done")).toBe(true);

    await a.stop();
    watching = false;
    await watcher;

    // Every planned machine on the target, rebooted exactly once.
    for (const m of r.machines) {
      const now = await nodeDetail(m.machine.hostname);
      expect(now.talosVersion).toBe(TARGET);
      // Exactly one reboot per machine: never upgraded twice.
      expect(now.bootCount - (before.get(m.machine.hostname)?.bootCount ?? 0)).toBe(1);
      expect(m.attempt).toBe(1);
      expect(m.actorId).toBeTruthy();
    }
    expect(maxCpDown).toBeLessThanOrEqual(1);
    const registry = await control<{ peak: number; failed: number }>("/registry");
    expect(registry.peak).toBeLessThanOrEqual(2);
    expect(registry.failed).toBe(0);
    const audit = await database.db.auditEntry.findMany({ where: { action: { startsWith: "rollouts." } } });
    expect(audit.map((e) => `${e.action} ${e.result}`)).toContain("rollouts.decide error");

    // Readers see a rollout only when it touches a machine in their scope, and only those machines.
    const site = r.machines[0]?.machine.effectiveSite as string;
    const local = principalWith("carol", { role: "viewer", scope: `site:${site}` });
    const elsewhere = principalWith("dave", { role: "viewer", scope: "site:nowhere/at/all" });
    expect((await as(local).rollouts.list()).map((x) => x.id)).toContain(id);
    expect((await as(local).rollouts.byId({ id })).machines.length).toBe(
      r.machines.filter((m) => m.machine.effectiveSite === site).length,
    );
    expect(await as(elsewhere).rollouts.list()).toEqual([]);
    await expect(as(elsewhere).rollouts.byId({ id })).rejects.toThrow(/no such rollout/);
  });
});
