// Drift the simulator can show: kernel arguments (KernelCmdlines), system extensions (ExtensionStatuses), config values.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Layer } from "@/proto/generated/resource/definitions/extensions/extensions";
import { KernelCmdlineSpec } from "@/proto/generated/resource/definitions/runtime/runtime";
import { type Clients, collect, md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let c: Clients;
let addr: (i: number) => string;

beforeAll(async () => {
  // seed chosen so the cluster runs one extension (qemu-guest-agent); the seed decides each cluster's set
  t = await startTestSim({ clusters: 1, nodesPerCluster: 4, seed: "drift-a" });
  const cl = t.sim.clusters[0];
  if (!cl) throw new Error("no cluster");
  addr = (i) => cl.nodes[i]?.address ?? "";
  c = t.clients(cl.endpoint);
});
afterAll(() => t.close());

async function cmdline(i: number): Promise<string> {
  const { res, err } = await unary(
    c.state.get,
    c.state,
    { namespace: "runtime", type: "KernelCmdlines.runtime.talos.dev", id: "cmdline", options: {} },
    md({ node: addr(i) }),
  );
  if (err) throw err;
  const spec = KernelCmdlineSpec.decode(res?.resource?.spec?.protoSpec ?? new Uint8Array());
  expect(res?.resource?.spec?.yamlSpec).toContain(spec.cmdline);
  return spec.cmdline;
}

async function extensions(i: number): Promise<string[]> {
  const { msgs } = await collect(
    c.state.list(
      { namespace: "runtime", type: "ExtensionStatuses.runtime.talos.dev", options: undefined },
      md({ node: addr(i) }),
    ),
  );
  return msgs.map((m) => Layer.decode(m.resource?.spec?.protoSpec ?? new Uint8Array()).metadata?.name ?? "");
}

describe("drift kinds", () => {
  it("serves the kernel command line, and kernel-args drift changes one node's", async () => {
    const before = await cmdline(1);
    expect(before).toMatch(/talos\.platform=\w+/);
    expect(before).toContain("pti=on");
    await t.control("POST", `/nodes/${addr(1)}/faults`, {
      kind: "kernel-args",
      add: ["mitigations=off"],
      remove: ["pti"],
    });
    const after = await cmdline(1);
    expect(after).toContain("mitigations=off");
    expect(after).not.toContain("pti=on");
    expect(await cmdline(2)).toBe(before);
    await t.control("DELETE", `/nodes/${addr(1)}/faults/kernel-args`);
    expect(await cmdline(1)).toBe(before);
  });

  it("extensions drift adds and removes system extensions on one node", async () => {
    const before = await extensions(2);
    expect(before).toEqual(["qemu-guest-agent"]);
    await t.control("POST", `/nodes/${addr(2)}/faults`, {
      kind: "extensions",
      add: "tailscale",
      remove: ["qemu-guest-agent"],
    });
    expect(await extensions(2)).toEqual(["tailscale"]);
    expect(await extensions(3)).toEqual(before);
    expect((await t.control("POST", `/nodes/${addr(2)}/faults`, { kind: "extensions" })).status).toBe(400);
    await t.control("DELETE", `/nodes/${addr(2)}/faults/extensions`);
    expect(await extensions(2)).toEqual(before);
  });

  it("a node installed from an Image Factory image reports its schematic, extensions and kernel arguments", async () => {
    const before = await extensions(1);
    await t.control("POST", `/nodes/${addr(1)}/faults`, {
      kind: "schematic",
      extensions: ["siderolabs/iscsi-tools", "siderolabs/util-linux-tools"],
    });
    const { msgs } = await collect(
      c.state.list(
        { namespace: "runtime", type: "ExtensionStatuses.runtime.talos.dev", options: undefined },
        md({ node: addr(1) }),
      ),
    );
    const layers = msgs.map((m) => Layer.decode(m.resource?.spec?.protoSpec ?? new Uint8Array()).metadata);
    expect(layers.map((l) => l?.name)).toEqual(["iscsi-tools", "util-linux-tools", "schematic"]);
    // the id Image Factory gives this schematic (sha256 of its canonical YAML)
    expect(layers[2]?.version).toBe("613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245");
    expect(layers[2]?.extraInfo).toBe(
      "customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n",
    );
    const { res } = await unary(
      c.state.get,
      c.state,
      { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1", options: {} },
      md({ node: addr(1) }),
    );
    expect(res?.resource?.spec?.yamlSpec).toContain(
      "image: factory.talos.dev/installer/613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245:",
    );
    await t.control("POST", `/nodes/${addr(1)}/faults`, { kind: "schematic", kernelArgs: ["net.ifnames=0"] });
    expect(await cmdline(1)).toMatch(/ net\.ifnames=0$/);
    expect(await extensions(1)).toEqual(["schematic"]);
    await t.control("DELETE", `/nodes/${addr(1)}/faults/schematic`);
    expect(await extensions(1)).toEqual(before);
    expect(await cmdline(1)).not.toContain("net.ifnames");
  });

  it("config drift takes any JSON value", async () => {
    await t.control("POST", `/nodes/${addr(3)}/faults`, {
      kind: "drift",
      path: "machine.kubelet.extraArgs.max-pods",
      value: 250,
    });
    const { res } = await unary(
      c.state.get,
      c.state,
      { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1", options: {} },
      md({ node: addr(3) }),
    );
    expect(res?.resource?.spec?.yamlSpec).toMatch(/max-pods: 250\n/);
  });
});
