// Precedence of baselines, drift items per machine, drift history, and outlier groups without any baseline.
import { describe, expect, it } from "vitest";
import type { ActualState } from "./actual-state";
import { readExtensions, readKernelArgs } from "./actual-state";
import { type CompiledBaseline, compileBaseline } from "./baseline";
import { computeDrift } from "./compute-drift";
import { parseConfigText } from "./config-documents";
import { fingerprintOf, machineComponents } from "./fingerprint";
import { trackDrift } from "./history";
import type { MachineFacts } from "./machine-facts";
import { normaliseDocuments } from "./normalise";
import { describeDifference, findOutliers, OutlierIndex, type OutlierMachine } from "./outliers";
import { rankBaselines, resolveExpectations } from "./precedence";
import { redactDocuments } from "./redact";

function baseline(id: string, spec: Record<string, unknown>): CompiledBaseline {
  const r = compileBaseline({ id, name: id, spec });
  if (!r.baseline) throw new Error(JSON.stringify(r.errors));
  return r.baseline;
}

const machine = (over: Partial<MachineFacts> = {}): MachineFacts => ({
  id: "m1",
  hostname: "dk-aarhus-1-w-1",
  cluster: "dk-aarhus-1",
  site: "eu/dk/aarhus-0042",
  role: "worker",
  labels: { tier: "edge" },
  ...over,
});

const config = (text: string) => normaliseDocuments(redactDocuments(parseConfigText(text).documents));

const actual = (over: Partial<ActualState> = {}): ActualState => ({
  talosVersion: "v1.13.9",
  kubernetesVersion: "v1.36.2",
  extensions: ["iscsi-tools"],
  schematicId: "",
  schematic: null,
  kernelArgs: readKernelArgs("BOOT_IMAGE=/A/vmlinuz talos.platform=metal pti=on console=tty0 console=ttyS0"),
  labels: { tier: "edge" },
  config: config(
    "version: v1alpha1\nmachine:\n  type: worker\n  token: abc\n  kubelet:\n    extraArgs:\n      max-pods: '110'\n",
  ),
  ...over,
});

describe("precedence", () => {
  const ranked = rankBaselines([
    baseline("fleet", {
      attach: { level: "fleet" },
      talosVersion: "v1.13.2",
      kernelArgs: ["pti=on"],
      extensions: ["iscsi-tools"],
    }),
    baseline("eu", { attach: { level: "site", site: "eu" }, talosVersion: "v1.13.5" }),
    baseline("eu-dk", { attach: { level: "site", site: "eu/dk" }, talosVersion: "v1.13.9" }),
    baseline("eu-dkx", { attach: { level: "site", site: "eu/dkx" }, talosVersion: "v1.11.5" }),
    baseline("aarhus", {
      attach: { level: "cluster", cluster: "dk-aarhus-1" },
      kubernetesVersion: "v1.35.0",
    }),
    baseline("edge-b", {
      attach: { level: "selector", selector: "tier=edge" },
      kubernetesVersion: "v1.36.2",
    }),
    baseline("edge-a", {
      attach: { level: "selector", selector: "tier=edge" },
      kubernetesVersion: "v1.36.0",
    }),
    baseline("canary", { attach: { level: "selector", selector: "tier=edge,canary" }, kernelArgs: ["-pti"] }),
  ]);

  it("most specific wins per field, and each expectation names its baseline and what it overrode", () => {
    const e = Object.fromEntries(resolveExpectations(ranked, machine()).map((x) => [x.field, x]));
    expect(e.talosVersion?.declared).toBe("v1.13.9");
    expect(e.talosVersion?.baseline.name).toBe("eu-dk");
    expect(e.talosVersion?.overridden.map((b) => b.name)).toEqual(["eu", "fleet"]);
    // selector beats cluster; between equal selectors the alphabetically first name wins
    expect(e.kubernetesVersion?.baseline.name).toBe("edge-a");
    expect(e.kubernetesVersion?.overridden.map((b) => b.name)).toEqual(["edge-b", "aarhus"]);
    expect(e.extensions?.baseline.name).toBe("fleet");
    expect(e["kernelArg:pti"]?.declared).toBe("pti=on");
  });

  it("a more specific selector overrides a kernel argument per key", () => {
    const e = resolveExpectations(ranked, machine({ labels: { tier: "edge", canary: "true" } }));
    const pti = e.find((x) => x.field === "kernelArg:pti");
    expect(pti?.declared).toBeNull();
    expect(pti?.baseline.name).toBe("canary");
  });
});

describe("drift items", () => {
  const ranked = rankBaselines([
    baseline("fleet", {
      attach: { level: "fleet" },
      talosVersion: "v1.13.9",
      extensions: ["siderolabs/iscsi-tools"],
      kernelArgs: ["pti=on", "-mitigations", "console=ttyS0"],
      labels: { tier: "edge" },
      configPatches: [
        { role: "worker", patch: "machine:\n  kubelet:\n    extraArgs:\n      max-pods: 110\n" },
        {
          role: "controlplane",
          patch: "cluster:\n  apiServer:\n    extraArgs:\n      audit-log-maxage: 30\n",
        },
        { patch: "machine:\n  features:\n    rbac: true\n" },
      ],
    }),
  ]);
  const expectations = resolveExpectations(ranked, machine());

  it("a machine that runs what is declared has no drift (defaults and quoting included)", () => {
    expect(computeDrift(expectations, actual())).toEqual([]);
  });

  it("each difference is one item with declared, actual and the baseline", () => {
    const items = computeDrift(
      expectations,
      actual({
        talosVersion: "v1.12.4",
        extensions: ["iscsi-tools", "tailscale"],
        kernelArgs: readKernelArgs("talos.platform=metal pti=on mitigations=off console=tty0"),
        config: config(
          "version: v1alpha1\nmachine:\n  kubelet:\n    extraArgs:\n      max-pods: 250\n  features:\n    rbac: false\n",
        ),
      }),
    );
    expect(items.map((i) => [i.field, i.declared, i.actual, i.state, i.baseline.name])).toEqual([
      ["talosVersion", "v1.13.9", "v1.12.4", "drifted", "fleet"],
      ["extensions", ["iscsi-tools"], ["iscsi-tools", "tailscale"], "drifted", "fleet"],
      ["kernelArg:mitigations", null, "mitigations=off", "drifted", "fleet"],
      ["kernelArg:console", "console=ttyS0", "console=tty0", "drifted", "fleet"],
      ["config:v1alpha1:machine.kubelet.extraArgs.max-pods", "110", "250", "drifted", "fleet"],
      ["config:v1alpha1:machine.features.rbac", true, false, "drifted", "fleet"],
    ]);
  });

  it("without an admin credential configuration is unknown, never clean", () => {
    const items = computeDrift(
      expectations,
      actual({ config: null, configUnknownReason: "unknown: needs admin credential" }),
    );
    expect(items.map((i) => [i.field, i.state, i.reason])).toEqual([
      ["config:v1alpha1:machine.kubelet.extraArgs.max-pods", "unknown", "unknown: needs admin credential"],
      ["config:v1alpha1:machine.features.rbac", "unknown", "unknown: needs admin credential"],
    ]);
  });

  it("history: appeared, changed (since kept), cleared", () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const t1 = new Date("2026-01-02T00:00:00Z");
    const first = trackDrift([], computeDrift(expectations, actual({ talosVersion: "v1.12.4" })), t0);
    expect(first.events.map((e) => [e.field, e.change])).toEqual([["talosVersion", "appeared"]]);
    const second = trackDrift(
      first.items,
      computeDrift(expectations, actual({ talosVersion: "v1.13.2" })),
      t1,
    );
    expect(second.events.map((e) => [e.field, e.change, e.actual])).toEqual([
      ["talosVersion", "changed", "v1.13.2"],
    ]);
    expect(second.items[0]?.since).toEqual(t0);
    const third = trackDrift(second.items, computeDrift(expectations, actual()), t1);
    expect(third.events.map((e) => [e.field, e.change])).toEqual([["talosVersion", "cleared"]]);
    expect(third.items).toEqual([]);
  });

  it("history: drift is recorded once its actual value is known, not while it is unknown", () => {
    const t0 = new Date("2026-01-01T00:00:00Z");
    const t1 = new Date("2026-01-01T00:00:30Z");
    // A machine just found: its configuration not read yet. Nothing is recorded.
    const unread = actual({ config: null, configUnknownReason: "unknown: not read yet" });
    const first = trackDrift([], computeDrift(expectations, unread), t0);
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.events).toEqual([]);
    // Read: it holds, so the unknown items go, and still nothing is recorded (no "cleared").
    const read = trackDrift(first.items, computeDrift(expectations, actual()), t1);
    expect(read.events).toEqual([]);
    // Unknown (its version not read yet), then known to drift: it appears then, with that time as its start.
    const noVersion = computeDrift(expectations, actual({ talosVersion: null }));
    expect(noVersion.find((i) => i.field === "talosVersion")?.state).toBe("unknown");
    const again = trackDrift([], noVersion, t0);
    expect(again.events).toEqual([]);
    const drifts = computeDrift(expectations, actual({ talosVersion: "v1.12.4" }));
    const known = trackDrift(again.items, drifts, t1);
    expect(known.events.map((e) => [e.field, e.change])).toEqual([["talosVersion", "appeared"]]);
    expect(known.items.find((i) => i.field === "talosVersion")?.since).toEqual(t1);
  });

  it("reads extensions without Image Factory's meta-extension, which gives the schematic id", () => {
    const id = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    expect(
      readExtensions([
        { name: "siderolabs/tailscale", version: "1.80.0" },
        { name: "schematic", version: id },
        { name: "iscsi-tools", version: "v0.2.0" },
      ]),
    ).toEqual({ extensions: ["iscsi-tools", "tailscale"], schematicId: id, schematic: null });
  });
});

describe("outlier groups (no baseline)", () => {
  const worker = (c: number, i: number, odd: boolean): OutlierMachine => {
    const id = `c${c}-w${i}`;
    return {
      ids: [id],
      cluster: `c${c}`,
      site: c < 2 ? "eu/dk" : "us/ny",
      role: "worker",
      components: machineComponents(
        actual({
          kernelArgs: readKernelArgs(`talos.platform=metal pti=on${odd ? " mitigations=off" : ""}`),
          extensions: odd ? ["iscsi-tools", "tailscale"] : ["iscsi-tools"],
          config: config(
            `version: v1alpha1\nmachine:\n  network:\n    hostname: ${id}\ncluster:\n  clusterName: c${c}\n`,
          ),
        }),
      ),
    };
  };
  const fleet: OutlierMachine[] = [];
  // two workers of cluster 1 booted with mitigations=off and run tailscale
  for (let c = 0; c < 4; c++) for (let i = 0; i < 10; i++) fleet.push(worker(c, i, c === 1 && i < 2));

  it("finds the two odd workers in their cluster, site and the fleet, with what differs", () => {
    const groups = findOutliers(fleet);
    expect(groups.map((g) => g.summary)).toEqual([
      "2 of 40 workers in the fleet differ: extension tailscale; kernel arg mitigations=off",
      "2 of 20 workers in eu differ: extension tailscale; kernel arg mitigations=off",
      "2 of 20 workers in eu/dk differ: extension tailscale; kernel arg mitigations=off",
      "2 of 10 workers in cluster c1 differ: extension tailscale; kernel arg mitigations=off",
    ]);
    expect(groups[0]?.machineIds).toEqual(["c1-w0", "c1-w1"]);
  });

  it("machines that run the same, counted as one class of many, give the same groups", () => {
    const classes = new Map<string, OutlierMachine>();
    for (const m of fleet) {
      const key = `${m.cluster}/${m.site}/${m.role}/${fingerprintOf(m.components)}`;
      const c = classes.get(key);
      if (c) c.ids.push(...m.ids);
      else classes.set(key, { ...m, ids: [...m.ids] });
    }
    expect(classes.size).toBe(5); // one per cluster, and the two odd workers
    const summaries = (groups: ReturnType<typeof findOutliers>) =>
      groups.map((g) => [g.summary, [...g.machineIds].sort()]);
    expect(summaries(findOutliers([...classes.values()]))).toEqual(summaries(findOutliers(fleet)));
  });

  it("kept incrementally: classes added and removed give the same groups as grouping from scratch", () => {
    const index = new OutlierIndex();
    fleet.forEach((m, i) => {
      index.add(String(i), m);
    });
    index.groups();
    // the odd workers are fixed one by one, another worker of cluster 3 turns odd, cluster 0 is removed
    const current = new Map(fleet.map((m, i) => [String(i), m]));
    const change = (key: string, m: OutlierMachine | undefined) => {
      if (m) {
        index.add(key, m);
        current.set(key, m);
      } else {
        index.remove(key);
        current.delete(key);
      }
      expect(index.groups()).toEqual(findOutliers([...current.values()]));
    };
    change("10", worker(1, 0, false));
    change("35", worker(3, 5, true));
    for (let i = 0; i < 10; i++) change(String(i), undefined);
    change("11", worker(1, 1, false));
    expect(index.groups().map((g) => g.summary)).toEqual([
      "1 of 30 workers in the fleet differ: extension tailscale; kernel arg mitigations=off",
      "1 of 20 workers in us differ: extension tailscale; kernel arg mitigations=off",
      "1 of 20 workers in us/ny differ: extension tailscale; kernel arg mitigations=off",
      "1 of 10 workers in cluster c3 differ: extension tailscale; kernel arg mitigations=off",
    ]);
  });

  it("names schematic ids by their first twelve characters, also inside an installer image", () => {
    const a = "e2e3b54334c85fdef4d78e88f880d185e0ce0ba0c9b5861bb5daa1cd6574db9b";
    const b = "c9078f9419961640c712a8bf2bb9174933dfcf1da383fd8ea2b7dc21493f8bac";
    expect(describeDifference({ component: "schematicId", value: a, majority: b })).toBe(
      "schematic e2e3b54334c8… (most: c9078f941996…)",
    );
    expect(
      describeDifference({
        component: "config:v1alpha1:machine.install.image",
        value: JSON.stringify(`factory.talos.dev/installer/${a}:v1.11.5`),
        majority: null,
      }),
    ).toBe(
      'config machine.install.image = "factory.talos.dev/installer/e2e3b54334c8…:v1.11.5" (most: not set)',
    );
  });

  it("hostnames and cluster names are not differences; a split without a majority is not an outlier", () => {
    const even = fleet.map((m, i) => ({
      ...m,
      components: machineComponents(actual({ talosVersion: i % 2 ? "v1.13.9" : "v1.13.2" })),
    }));
    expect(findOutliers(even)).toEqual([]);
  });
});
