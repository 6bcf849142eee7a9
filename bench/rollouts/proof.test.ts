// The rollout benchmark's proof: a machine upgraded twice or lost is counted (and fails the run); machines
// left out or failed with a reason are accounted for, not lost; upgrades at once come from the nodes' records.
import { describe, expect, it } from "vitest";
import type { UpgradeCall } from "@/sim";
import { type ProofInput, proveRollout, upgradesAtOnce } from "./proof";

const TARGET = "v1.14.0-rc.1";
const machine = (n: number) => ({ id: `m${n}`, hostname: `node-${n}` });
const call = (at: number, endedAt?: number, outcome: UpgradeCall["outcome"] = "booted"): UpgradeCall => ({
  at: new Date(at).toISOString(),
  api: "LifecycleService.Upgrade",
  image: `ghcr.io/siderolabs/installer:${TARGET}`,
  outcome,
  ...(endedAt === undefined ? {} : { endedAt: new Date(endedAt).toISOString() }),
});

function input(over: Partial<ProofInput> = {}): ProofInput {
  const inScope = [1, 2, 3, 4].map(machine);
  return {
    inScope,
    rows: [1, 2, 3].map((n) => ({ machineId: `m${n}`, phase: "done", attempt: 1, error: null })),
    excluded: [{ machineId: "m4", reason: "it already runs the target version" }],
    calls: new Map([1, 2, 3].map((n) => [`node-${n}`, [call(n, n + 10)]])),
    versions: new Map(inScope.map((m) => [m.hostname, TARGET])),
    targetVersion: TARGET,
    ...over,
  };
}

describe("proveRollout", () => {
  it("finds nothing wrong when every machine was upgraded once or left out with a reason", () => {
    expect(proveRollout(input())).toEqual({
      doubleUpgrades: [],
      lost: [],
      upgraded: 3,
      failed: 0,
      excluded: 1,
    });
  });

  it("counts a node with more upgrade requests than attempts, and any request to a node outside the plan", () => {
    const base = input();
    const calls = new Map([
      ...base.calls,
      ["node-2", [call(1, 2, "installed"), call(3, 4)]],
      ["node-4", [call(1, 2)]],
      ["elsewhere-1", [call(1, 2, "refused")]],
    ]);
    expect(proveRollout({ ...base, calls }).doubleUpgrades).toEqual(["node-2", "node-4", "elsewhere-1"]);
    // A second attempt (a retry) may send a second request.
    const rows = base.rows.map((r) => (r.machineId === "m2" ? { ...r, attempt: 2 } : r));
    const retried = new Map([...base.calls, ["node-2", [call(1, 2, "failed"), call(3, 4)]]]);
    expect(proveRollout({ ...base, rows, calls: retried }).doubleUpgrades).toEqual([]);
  });

  it("counts as lost a machine left in flight, done in Minos but not on the target, failed without a reason, or missing from plan and exclusions", () => {
    const base = input();
    const rows = [
      { machineId: "m1", phase: "upgrading", attempt: 1, error: null },
      { machineId: "m2", phase: "done", attempt: 1, error: null },
      { machineId: "m3", phase: "failed", attempt: 1, error: "" },
    ];
    const versions = new Map([...base.versions, ["node-2", "v1.13.9"]]);
    const proof = proveRollout({ ...base, rows, versions, excluded: [] });
    expect(proof.lost).toEqual(["node-1", "node-2", "node-3", "node-4"]);
    expect(proof.upgraded).toBe(0);
  });

  it("accounts for a machine that failed with a reason", () => {
    const base = input();
    const rows = base.rows.map((r) =>
      r.machineId === "m3" ? { ...r, phase: "failed", error: "rebooted but runs v1.13.9" } : r,
    );
    expect(proveRollout({ ...base, rows })).toMatchObject({ lost: [], failed: 1, upgraded: 2 });
  });
});

describe("upgradesAtOnce", () => {
  it("counts overlapping requests, not refused ones, and one still in flight until now", () => {
    const calls = [
      [call(0, 10)],
      [call(5, 15), call(20, 30)],
      [call(6, 7, "refused")],
      [call(10, 12)], // starts as the first ends: two at once, not three
      [call(25)], // still in flight
    ];
    expect(upgradesAtOnce(calls, 100)).toBe(2);
    expect(upgradesAtOnce([...calls, [call(11, 40)]], 100)).toBe(3);
    expect(upgradesAtOnce([])).toBe(0);
  });
});
