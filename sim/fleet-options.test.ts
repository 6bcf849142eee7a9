// Fleets for whole-fleet upgrades: every node on one release, none with an initial issue; an unknown release
// is refused with the list of known ones.
import { describe, expect, it } from "vitest";
import { buildFleetSpec } from "./fleet-spec";

describe("fleet options", () => {
  it("starts every node on one release with no initial issues when asked, with the same names as the mixed fleet", () => {
    const mixed = buildFleetSpec({ seed: "options", clusters: 50, nodesPerCluster: 20 });
    const nodes = mixed.clusters.flatMap((c) => c.nodes);
    expect(new Set(nodes.map((n) => n.talosVersion)).size).toBeGreaterThan(1);
    expect(nodes.some((n) => n.issue !== "none")).toBe(true);

    const uniform = buildFleetSpec({
      seed: "options",
      clusters: 50,
      nodesPerCluster: 20,
      talosVersion: "v1.13.9",
      healthy: true,
    });
    const same = uniform.clusters.flatMap((c) => c.nodes);
    expect(same.every((n) => n.talosVersion === "v1.13.9" && n.issue === "none")).toBe(true);
    expect(uniform.clusters.every((c) => c.release.tag === "v1.13.9")).toBe(true);
    expect(same.map((n) => n.hostname)).toEqual(nodes.map((n) => n.hostname));
  });

  it("refuses a release the simulator does not know", () => {
    expect(() =>
      buildFleetSpec({ seed: "x", clusters: 1, nodesPerCluster: 1, talosVersion: "v9.9.9" }),
    ).toThrow(/unknown Talos release "v9.9.9"; the simulator knows v1\.11\.5, .*v1\.14\.0-rc\.1/);
  });
});
