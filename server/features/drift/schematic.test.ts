// Image Factory schematics in baselines: validated like Image Factory does, compared by normalised contents
// against what the machine's `schematic` meta-extension reports.
import { describe, expect, it } from "vitest";
import type { ActualState } from "./actual-state";
import { readExtensions } from "./actual-state";
import { compileBaseline } from "./baseline";
import { computeDrift } from "./compute-drift";
import { rankBaselines, resolveExpectations } from "./precedence";

const ID = "613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245";
/** What Image Factory puts in the meta-extension's extra info (its canonical marshalling). */
const FACTORY_YAML =
  "customization:\n    extraKernelArgs:\n        - net.ifnames=0\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n";

function expectationsFor(schematic: unknown) {
  const r = compileBaseline({ id: "b", name: "fleet", spec: { attach: { level: "fleet" }, schematic } });
  if (!r.baseline) throw new Error(JSON.stringify(r.errors));
  return resolveExpectations(rankBaselines([r.baseline]), {
    id: "m1",
    hostname: "w-1",
    cluster: "c",
    site: "",
    role: "worker",
    labels: {},
  });
}

const actual = (statuses: Array<{ name: string; version: string; extraInfo?: string }>): ActualState => ({
  talosVersion: "v1.13.9",
  kubernetesVersion: "v1.36.2",
  kernelArgs: [],
  labels: {},
  config: null,
  ...readExtensions(statuses),
});

const factoryMachine = (extraInfo = FACTORY_YAML) =>
  actual([
    { name: "iscsi-tools", version: "v0.2.0" },
    { name: "util-linux-tools", version: "2.41" },
    { name: "schematic", version: ID, extraInfo },
  ]);

describe("schematic drift", () => {
  it("holds when the machine runs the declared schematic, written in another order, style or prefix", () => {
    const e = expectationsFor(
      "customization:\n  systemExtensions:\n    officialExtensions: [util-linux-tools, siderolabs/iscsi-tools]\n  extraKernelArgs: [net.ifnames=0]\n",
    );
    expect(e.map((x) => [x.field, x.kind, x.declared])).toEqual([
      [
        "schematic",
        "schematic",
        { extensions: ["iscsi-tools", "util-linux-tools"], extraKernelArgs: ["net.ifnames=0"] },
      ],
    ]);
    expect(computeDrift(e, factoryMachine())).toEqual([]);
  });

  it("drifts when the machine's schematic has other extensions or kernel arguments, showing what it runs", () => {
    const e = expectationsFor({
      customization: { systemExtensions: { officialExtensions: ["siderolabs/iscsi-tools"] } },
    });
    const [item] = computeDrift(e, factoryMachine());
    expect(item).toMatchObject({
      field: "schematic",
      state: "drifted",
      declared: { extensions: ["iscsi-tools"] },
      actual: { extensions: ["iscsi-tools", "util-linux-tools"], extraKernelArgs: ["net.ifnames=0"] },
    });
  });

  it("a machine not installed from Image Factory drifts; one that reports only the id is unknown", () => {
    const e = expectationsFor({ customization: {} });
    expect(computeDrift(e, actual([{ name: "iscsi-tools", version: "v0.2.0" }]))).toMatchObject([
      { field: "schematic", state: "drifted", actual: undefined },
    ]);
    expect(computeDrift(e, factoryMachine(""))).toMatchObject([
      { field: "schematic", state: "unknown", reason: expect.stringContaining("without its contents") },
    ]);
    // the empty schematic holds against the empty schematic
    expect(
      computeDrift(
        e,
        actual([
          {
            name: "schematic",
            version: "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
            extraInfo: "customization: {}\n",
          },
        ]),
      ),
    ).toEqual([]);
  });

  it("refuses what Image Factory would refuse, each error at its field", () => {
    const errors = (schematic: unknown) =>
      compileBaseline({ id: "", name: "x", spec: { attach: { level: "fleet" }, schematic } }).errors;
    expect(errors("customization:\n  systemExtensions: [\n")).toEqual([
      { field: "schematic", message: expect.stringMatching(/^not valid YAML: .*line 3/) },
    ]);
    expect(errors({ customization: { systemExtension: {} } })).toEqual([
      {
        field: "schematic.customization",
        message:
          'unknown field "systemExtension" (known here: extraKernelArgs, meta, systemExtensions, secureboot)',
      },
    ]);
    expect(errors({ customization: { extraKernelArgs: ["a=1 b=2"] } })).toEqual([
      {
        field: "schematic.customization.extraKernelArgs.0",
        message: "kernel arguments: one per item, without spaces",
      },
    ]);
  });
});
