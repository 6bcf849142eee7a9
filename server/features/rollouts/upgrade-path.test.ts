import { describe, expect, it } from "vitest";
import { installerTag, onTarget, upgradePathProblem } from "./upgrade-path";

describe("upgrade paths as Talos decides them", () => {
  it("allows the next minor and patches within a minor", () => {
    expect(upgradePathProblem("v1.13.9", "v1.14.0")).toBeNull();
    expect(upgradePathProblem("v1.13.2", "v1.13.9")).toBeNull();
    expect(upgradePathProblem("v1.13.9", "v1.14.0-rc.1", "v1.36.2")).toBeNull();
  });

  it("refuses skipping a minor and names the intermediate release", () => {
    expect(upgradePathProblem("v1.12.4", "v1.14.0")).toMatch(/skips v1\.13.*latest v1\.13 patch first/);
    expect(upgradePathProblem("v1.11.5", "v1.13.9")).toMatch(/skips v1\.12/);
  });

  it("refuses what the target's installer refuses (too old, too new)", () => {
    expect(upgradePathProblem("v1.10.3", "v1.13.9")).toMatch(/refuses hosts older than v1\.11\.0/);
    expect(upgradePathProblem("v1.15.0", "v1.13.9")).toMatch(/refuses downgrades from v1\.15\.0/);
    // A downgrade the installer allows is fine.
    expect(upgradePathProblem("v1.14.0", "v1.13.9")).toBeNull();
  });

  it("refuses a Kubernetes version the target does not support", () => {
    expect(upgradePathProblem("v1.13.9", "v1.14.0", "v1.31.4")).toMatch(/Kubernetes 1\.32–1\.37/);
    expect(upgradePathProblem("v1.13.9", "v1.14.0", "v1.36.2")).toBeNull();
  });

  it("says when a version is not known", () => {
    expect(upgradePathProblem("", "v1.14.0")).toMatch(/not known yet/);
    expect(upgradePathProblem("v1.13.9", "latest")).toMatch(/not a Talos version/);
  });

  it("reads installer tags and compares versions exactly", () => {
    expect(installerTag("ghcr.io/siderolabs/installer:v1.14.0")).toBe("v1.14.0");
    expect(installerTag("factory.talos.dev/installer/abc:v1.13.9@sha256:00")).toBe("v1.13.9");
    expect(installerTag("registry:5000/installer")).toBeNull();
    expect(onTarget("v1.14.0-rc.1", "v1.14.0")).toBe(false);
    expect(onTarget("v1.14.0", "1.14.0")).toBe(true);
  });
});
