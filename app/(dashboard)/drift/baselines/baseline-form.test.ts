// The baseline editor's form: what it sends, and a stored baseline coming back into the form unchanged.
import { describe, expect, it } from "vitest";
import { EMPTY_FORM, fromStored, toInput } from "./baseline-form";
import { expectationSummary } from "./expectation-fields";

describe("baseline form", () => {
  it("sends only the fields filled in, parsed per kind", () => {
    const input = toInput({
      ...EMPTY_FORM,
      name: " eu-dk ",
      level: "site",
      target: "eu/dk",
      expectations: {
        ...EMPTY_FORM.expectations,
        talosVersion: " v1.13.9 ",
        extensions: "siderolabs/iscsi-tools, tailscale",
        kernelArgs: "pti=on  -mitigations",
        labels: "tier=edge, zone=a=b",
      },
      patches: [
        { role: "worker", patch: "machine: {}\n" },
        { role: "all", patch: "  " },
      ],
    });
    expect(input).toEqual({
      name: "eu-dk",
      description: "",
      spec: {
        attach: { level: "site", site: "eu/dk" },
        talosVersion: "v1.13.9",
        extensions: ["siderolabs/iscsi-tools", "tailscale"],
        kernelArgs: ["pti=on", "-mitigations"],
        labels: { tier: "edge", zone: "a=b" },
        configPatches: [{ role: "worker", patch: "machine: {}\n" }],
      },
    });
  });

  it("reads a stored baseline back into the same form, and summarises what it declares", () => {
    const spec = {
      attach: { level: "cluster", cluster: "prod-fra-1" },
      kubernetesVersion: "v1.36.2",
      extensions: ["iscsi-tools"],
      kernelArgs: ["pti=on"],
      labels: { tier: "edge" },
    };
    const form = fromStored({ id: "b1", name: "fra", description: "d", spec });
    expect(form.target).toBe("prod-fra-1");
    expect(form.expectations).toMatchObject({
      kubernetesVersion: "v1.36.2",
      extensions: "iscsi-tools",
      kernelArgs: "pti=on",
      labels: "tier=edge",
      talosVersion: "",
    });
    expect(toInput(form).spec).toEqual(spec);
    expect(expectationSummary(spec)).toEqual([
      "Kubernetes v1.36.2",
      "1 extension",
      "kernel args pti=on",
      "1 label",
    ]);
  });
});
