// What the UI predicts about a certificate's rights matches Talos's rules for the calls Minos makes.
import { describe, expect, it } from "vitest";
import { requiredRole, roleAllows } from "./roles";

describe("roles", () => {
  it("asks for the least role Talos admits", () => {
    expect(requiredRole("/machine.MachineService/Version")).toBe("os:reader");
    expect(requiredRole("/machine.MachineService/Reboot")).toBe("os:operator");
    expect(requiredRole("/machine.MachineService/Upgrade")).toBe("os:admin");
    expect(requiredRole("/cosi.resource.State/Get", { sensitive: true })).toBe("os:admin");
  });

  it("predicts refusals per certificate", () => {
    expect(roleAllows(["os:reader"], "/machine.MachineService/Logs")).toBe(true);
    expect(roleAllows(["os:reader"], "/machine.ImageService/Pull")).toBe(false);
    expect(roleAllows(["os:operator"], "/machine.ImageService/Pull")).toBe(true);
    expect(roleAllows(["os:operator"], "/machine.LifecycleService/Upgrade")).toBe(false);
    expect(roleAllows(["os:etcd:backup"], "/machine.MachineService/EtcdStatus")).toBe(true);
    expect(roleAllows(["os:etcd:backup"], "/machine.MachineService/Version")).toBe(false);
    expect(roleAllows(["os:operator"], "/cosi.resource.State/Get", { sensitive: true })).toBe(false);
  });
});
