// The role policy of the product brief, stated as data so a change to the table is a visible,
// deliberate change here too.
import { describe, expect, it } from "vitest";
import { permissionsOf, roleCovers } from "./permissions";

describe("roles", () => {
  it("viewer reads and manages only its own account", () => {
    expect(permissionsOf("viewer").sort()).toEqual(["account.self", "fleet.read"]);
  });
  it("operator adds streaming, machine operations and running rollouts — not approving them", () => {
    expect(permissionsOf("operator").sort()).toEqual([
      "account.self",
      "fleet.read",
      "machines.operate",
      "machines.stream",
      "rollouts.run",
    ]);
  });
  it("approver adds approving rollout waves — not running them or touching machines", () => {
    expect(permissionsOf("approver").sort()).toEqual(["account.self", "fleet.read", "rollouts.approve"]);
  });
  it("admin holds everything, and covers every other role; no other role covers admin", () => {
    expect(permissionsOf("admin").length).toBe(8);
    for (const r of ["viewer", "operator", "approver"] as const) {
      expect(roleCovers("admin", r)).toBe(true);
      expect(roleCovers(r, "admin")).toBe(false);
    }
    expect(roleCovers("operator", "approver")).toBe(false);
    expect(roleCovers("approver", "operator")).toBe(false);
    expect(roleCovers("operator", "viewer")).toBe(true);
  });
});
