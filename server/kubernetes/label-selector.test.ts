import { describe, expect, it } from "vitest";
import { selectorMatches } from "./label-selector";

describe("selectorMatches", () => {
  const labels = { app: "tills", tier: "front" };
  it("needs every matchLabels pair", () => {
    expect(selectorMatches({ matchLabels: { app: "tills" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "tills", tier: "back" } }, labels)).toBe(false);
  });
  it("applies matchExpressions as the API server does", () => {
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] }, labels),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, labels),
    ).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
  });
  it("matches everything with an empty selector and nothing without one", () => {
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
  });
});
