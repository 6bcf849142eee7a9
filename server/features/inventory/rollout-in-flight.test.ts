import { expect, it } from "vitest";
import { reasonWithRollout } from "./rollout-in-flight";

it("names the rollout a machine is rebooting for, and only then", () => {
  const inFlight = [{ rollout: { name: "to v1.14" } }];
  expect(
    reasonWithRollout("upgrading", "rebooting: planned reboot, back soon (last seen 1 minute ago)", inFlight),
  ).toBe('for rollout "to v1.14": rebooting: planned reboot, back soon (last seen 1 minute ago)');
  expect(reasonWithRollout("upgrading", "rebooting", [])).toBe("rebooting");
  expect(reasonWithRollout("unreachable", "connection refused", inFlight)).toBe("connection refused");
});
