import { describe, expect, it } from "vitest";
import { countOf } from "./count-words";

describe("countOf", () => {
  it("puts the noun in the number the count needs", () => {
    expect(countOf(1, "machine")).toBe("1 machine");
    expect(countOf(0, "machine")).toBe("0 machines");
    expect(countOf(5, "wave")).toBe("5 waves");
    expect(countOf(12_000, "machine")).toBe("12,000 machines");
    expect(countOf(2, "was", "were")).toBe("2 were");
  });
});
