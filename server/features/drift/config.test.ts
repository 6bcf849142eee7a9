// Normalised comparison, structured diff, and config patch validation with field-level errors.
import { describe, expect, it } from "vitest";
import { compileBaseline, exportBaselines, importBaselines } from "./baseline";
import { type ConfigDocument, parseConfigText } from "./config-documents";
import { flattenDocuments, normaliseDocuments } from "./normalise";

const norm = (text: string) => normaliseDocuments(parseConfigText(text).documents);

/** Field-by-field difference of two normalised configurations, as drift compares them. */
interface ConfigChange {
  /** Field id, `<document>:<path>`. */
  field: string;
  change: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function diffConfigs(before: readonly ConfigDocument[], after: readonly ConfigDocument[]): ConfigChange[] {
  const a = flattenDocuments(before);
  const b = flattenDocuments(after);
  const changes: ConfigChange[] = [];
  for (const [field, f] of a) {
    const g = b.get(field);
    if (!g) changes.push({ field, change: "removed", before: f.value });
    else if (!sameValue(f.value, g.value))
      changes.push({ field, change: "changed", before: f.value, after: g.value });
  }
  for (const [field, g] of b) if (!a.has(field)) changes.push({ field, change: "added", after: g.value });
  return changes.sort((x, y) => (x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
}

describe("normalised configuration", () => {
  it("ignores key order, formatting, spelled-out defaults, empty values and quoted numbers in argument maps", () => {
    const a = norm(`version: v1alpha1
machine:
  type: worker
  kubelet:
    extraArgs: { max-pods: 250 }
  features: { rbac: true, kubePrism: { enabled: true, port: 7445 } }
  certSANs: []
cluster:
  network: { dnsDomain: cluster.local }
---
apiVersion: v1alpha1
kind: KmsgLogConfig
name: remote
url: tcp://10.0.0.1:5000
`);
    const b = norm(`apiVersion: v1alpha1
kind: KmsgLogConfig
url: "tcp://10.0.0.1:5000"
name: remote
---
machine:
  kubelet:
    extraArgs:
      max-pods: "250"
  type: worker
version: v1alpha1
`);
    expect(diffConfigs(a, b)).toEqual([]);
  });

  it("reports added, removed and changed fields by path, list items by their name", () => {
    const before = norm(`version: v1alpha1
machine:
  sysctls: { net.core.somaxconn: "4096" }
  kernel: { modules: [{ name: br_netfilter }, { name: nf_conntrack, parameters: [hashsize=1] }] }
`);
    const after = norm(`version: v1alpha1
machine:
  sysctls: { net.core.somaxconn: "65535" }
  kernel: { modules: [{ name: nf_conntrack, parameters: [hashsize=2] }, { name: br_netfilter }] }
  time: { servers: [time.cloudflare.com] }
`);
    expect(diffConfigs(before, after)).toEqual([
      {
        field: 'v1alpha1:machine.kernel.modules[name="nf_conntrack"].parameters',
        change: "changed",
        before: ["hashsize=1"],
        after: ["hashsize=2"],
      },
      {
        field: 'v1alpha1:machine.sysctls["net.core.somaxconn"]',
        change: "changed",
        before: "4096",
        after: "65535",
      },
      { field: "v1alpha1:machine.time.servers", change: "added", after: ["time.cloudflare.com"] },
    ]);
  });
});

describe("baseline validation", () => {
  const spec = (over: Record<string, unknown>) => ({ attach: { level: "fleet" }, ...over });

  it("accepts a well-formed baseline", () => {
    const r = compileBaseline({
      id: "b1",
      name: "fleet-default",
      spec: spec({
        talosVersion: "v1.13.9",
        kubernetesVersion: "v1.36.2",
        kernelArgs: ["-mitigations", "pti=on"],
        configPatches: [
          { role: "worker", patch: "machine:\n  kubelet:\n    extraArgs:\n      max-pods: 110\n" },
        ],
      }),
    });
    expect(r.errors).toEqual([]);
    expect([...(r.baseline?.patches[0]?.patch.fields.keys() ?? [])]).toEqual([
      "v1alpha1:machine.kubelet.extraArgs.max-pods",
    ]);
  });

  it("rejects malformed YAML with its line, unknown fields with a suggestion, unknown versions and secrets", () => {
    const r = compileBaseline({
      id: "b2",
      name: "Bad Name",
      spec: spec({
        talosVersion: "v1.99.0",
        kubernetesVersion: "v1.20.0",
        configPatches: [
          { patch: "machine:\n  kubelet:\n    extraArgs: [unclosed\n" },
          { patch: "machine:\n  kubelet:\n    extraArgz:\n      max-pods: 110\n" },
          { patch: "cluster:\n  token: abcdef.0123456789abcdef\n" },
          { patch: "apiVersion: v1alpha1\nkind: NoSuchConfig\n" },
        ],
      }),
    });
    const by = (f: string) => r.errors.find((e) => e.field.startsWith(f));
    expect(r.baseline).toBeUndefined();
    expect(by("name")?.message).toMatch(/lower-case/);
    expect(by("talosVersion")?.message).toMatch(/Talos v1.99.0 is unknown/);
    expect(by("kubernetesVersion")?.message).toMatch(/unknown/);
    expect(by("configPatches[0].patch")?.line).toBeGreaterThanOrEqual(3);
    const unknownField = by("configPatches[1].patch");
    expect(unknownField?.message).toBe(
      'machine.kubelet has no field "extraArgz" (did you mean "extraArgs"?)',
    );
    expect(unknownField?.line).toBe(4);
    expect(by("configPatches[2].patch")?.message).toMatch(/holds a secret/);
    expect(by("configPatches[3].patch")?.message).toMatch(/unknown document kind "NoSuchConfig"/);
  });

  it("rejects a kernel argument declared absent with a value, which could never match", () => {
    const r = compileBaseline({
      id: "",
      name: "x",
      spec: spec({ kernelArgs: ["pti=on", "-mitigations=off"] }),
    });
    expect(r.baseline).toBeUndefined();
    expect(r.errors.map((e) => e.field)).toEqual(["kernelArgs.1"]);
    expect(r.errors[0]?.message).toMatch(/-k \(must be absent/);
  });

  it("rejects a Kubernetes version the declared Talos does not support", () => {
    const r = compileBaseline({
      id: "",
      name: "x",
      spec: spec({ talosVersion: "v1.11.5", kubernetesVersion: "v1.36.0" }),
    });
    expect(r.errors).toEqual([
      {
        field: "kubernetesVersion",
        message: "Talos v1.11.5 does not support Kubernetes 1.36 (it supports 1.29–1.34)",
      },
    ]);
  });

  it("round-trips through a YAML file and names the document of each error", () => {
    const a = compileBaseline({
      id: "",
      name: "dk",
      spec: { attach: { level: "site", site: "eu/dk" }, extensions: ["siderolabs/iscsi-tools"] },
    });
    const b = compileBaseline({
      id: "",
      name: "canary",
      spec: {
        attach: { level: "selector", selector: "role=worker,canary" },
        kernelArgs: ["mitigations=off"],
      },
    });
    if (!a.baseline || !b.baseline) throw new Error("fixtures must compile");
    const text = exportBaselines([a.baseline, b.baseline]);
    const back = importBaselines(text);
    expect(back.errors).toEqual([]);
    expect(back.baselines.map((x) => [x.name, x.spec])).toEqual([
      ["dk", a.baseline.spec],
      ["canary", b.baseline.spec],
    ]);
    const bad = importBaselines(
      `${text}---\napiVersion: minos.dev/v1\nkind: Baseline\nmetadata: { name: broken }\nspec: { attach: { level: selector, selector: "role in (" } }\n`,
    );
    expect(bad.baselines).toEqual([]);
    expect(bad.errors[0]?.field).toBe("broken: attach.selector");
  });
});

describe("field ids", () => {
  it("the fingerprint walk names every leaf exactly as the diff does", async () => {
    const { eachDocumentLeaf, flattenDocuments } = await import("./normalise");
    const docs = norm(`version: v1alpha1
machine:
  sysctls: { net.core.somaxconn: "1" }
  kernel: { modules: [{ name: br_netfilter }, { name: nf, parameters: [a=1] }] }
  disks: [{ device: /dev/sdb, partitions: [{ mountpoint: /var/x }] }]
  certSANs: [a, b]
  nodeLabels: { "topology.kubernetes.io/zone": z1 }
---
apiVersion: v1alpha1
kind: KmsgLogConfig
name: remote
url: tcp://x
`);
    const walked = new Map<string, unknown>();
    eachDocumentLeaf(docs, (id, v) => walked.set(id, v));
    expect(walked).toEqual(new Map([...flattenDocuments(docs)].map(([id, f]) => [id, f.value])));
  });
});
