import { describe, expect, it } from "vitest";
import { formatInZone } from "./zoned-time";

describe("formatInZone", () => {
  it("names the zone beside its abbreviation, in 24-hour time", () => {
    const at = new Date("2026-11-28T21:00:00Z");
    expect(formatInZone(at, "America/New_York")).toMatch(/^Sat,? 28 Nov,? 16:00 \S+ \(America\/New_York\)$/);
    expect(formatInZone(at, "Europe/Copenhagen")).toMatch(
      /^Sat,? 28 Nov,? 22:00 \S+ \(Europe\/Copenhagen\)$/,
    );
    expect(formatInZone(at, "UTC")).toMatch(/^Sat,? 28 Nov,? 21:00 UTC$/);
  });
});
