import { describe, expect, it } from "vitest";
import type { MaintenanceWindow } from "./rollout-safety";
import { windowState } from "./window-schedule";

const at = (iso: string) => Date.parse(iso);
const nightly: MaintenanceWindow = {
  site: "eu/dk/*",
  timeZone: "Europe/Copenhagen",
  days: ["tue"],
  start: "22:00",
  end: "04:00",
};

describe("maintenance windows in the site's time zone", () => {
  it("is open on the listed day after the start, and past midnight until the end", () => {
    // 2026-11-24 is a Tuesday; Copenhagen is UTC+1 in November.
    expect(windowState([nightly], "eu/dk/aarhus", at("2026-11-24T20:59:00Z")).open).toBe(false);
    expect(windowState([nightly], "eu/dk/aarhus", at("2026-11-24T21:00:00Z")).open).toBe(true);
    expect(windowState([nightly], "eu/dk/aarhus", at("2026-11-25T02:59:00Z")).open).toBe(true);
    expect(windowState([nightly], "eu/dk/aarhus", at("2026-11-25T03:00:00Z")).open).toBe(false);
  });

  it("says when it opens next, across a daylight-saving change", () => {
    const closed = windowState([nightly], "eu/dk/aarhus", at("2026-11-25T12:00:00Z"));
    expect(closed.open).toBe(false);
    expect(new Date(closed.opensAt ?? 0).toISOString()).toBe("2026-12-01T21:00:00.000Z");
    // Summer time (UTC+2): 2026-03-31 is a Tuesday after the switch on 2026-03-29.
    const spring = windowState([nightly], "eu/dk/aarhus", at("2026-03-27T12:00:00Z"));
    expect(new Date(spring.opensAt ?? 0).toISOString()).toBe("2026-03-31T20:00:00.000Z");
  });

  it("does not restrict a site no window covers", () => {
    expect(windowState([nightly], "us/ny/queens", at("2026-11-25T12:00:00Z"))).toEqual({
      open: true,
      unrestricted: true,
    });
  });

  it("works in a zone behind UTC", () => {
    const ny: MaintenanceWindow = {
      site: "us/*",
      timeZone: "America/New_York",
      days: ["sat", "sun"],
      start: "01:00",
      end: "05:00",
    };
    // Saturday 2026-11-28 01:30 in New York is 06:30 UTC.
    expect(windowState([ny], "us/ny", at("2026-11-28T06:30:00Z")).open).toBe(true);
    expect(windowState([ny], "us/ny", at("2026-11-28T10:00:00Z")).open).toBe(false);
  });
});
