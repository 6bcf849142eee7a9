// Sentences of the events a machine page shows, and the durations phases and tasks took.
import { describe, expect, it } from "vitest";
import type { TalosEvent } from "../../talos";
import { describeEvent } from "./describe";
import { DurationTracker } from "./durations";
import { eventRow } from "./event-row";
import { xidTimeMs } from "./xid";

describe("describeEvent", () => {
  it("says what happened in plain words", () => {
    expect(
      describeEvent({
        type: "serviceState",
        service: "kubelet",
        action: "FAILED",
        message: "Failed to run service: exit status 1",
      }),
    ).toBe("Service kubelet failed: Failed to run service: exit status 1");
    expect(describeEvent({ type: "phase", phase: "upgrade", action: "START" })).toBe("Phase upgrade started");
    expect(describeEvent({ type: "task", task: "stopAllServices", action: "STOP", durationMs: 1_234 })).toBe(
      "Task stopAllServices finished in 1.2 s",
    );
    expect(
      describeEvent({
        type: "machineStatus",
        stage: "RUNNING",
        ready: false,
        unmetConditions: [{ name: "services", reason: "kubelet not running" }],
      }),
    ).toBe("Machine is running, not ready: services (kubelet not running)");
    expect(describeEvent({ type: "machineStatus", stage: "RUNNING", ready: true, unmetConditions: [] })).toBe(
      "Machine is running and ready",
    );
    expect(describeEvent({ type: "address", hostname: "w-1", addresses: ["10.5.0.2", "fd00::2"] })).toBe(
      "Addresses changed to 10.5.0.2, fd00::2 (hostname w-1)",
    );
    expect(describeEvent({ type: "configLoadError", error: "yaml: line 3: bad indent" })).toBe(
      "Configuration could not be loaded: yaml: line 3: bad indent",
    );
    expect(
      describeEvent({
        type: "sequence",
        sequence: "upgrade",
        action: "NOOP",
        error: { code: "LOCKED", message: "sequence not started: locked" },
      }),
    ).toBe("Sequence upgrade could not start: sequence not started: locked");
    expect(describeEvent({ type: "restart", command: "RESTART" })).toBe("Machine is rebooting");
  });

  it("says a duration known only to the second is approximate", () => {
    expect(
      describeEvent({ type: "phase", phase: "boot", action: "STOP", durationMs: 0, durationExact: false }),
    ).toBe("Phase boot finished in under 1 s");
    expect(
      describeEvent({
        type: "phase",
        phase: "boot",
        action: "STOP",
        durationMs: 7_000,
        durationExact: false,
      }),
    ).toBe("Phase boot finished in about 7 s");
  });
});

// rs/xid ids for a given second (machine, pid and counter bytes fixed).
function xidAt(seconds: number, counter: number): string {
  const raw = Buffer.alloc(12);
  raw.writeUInt32BE(seconds, 0);
  raw.writeUIntBE(counter, 9, 3);
  const alphabet = "0123456789abcdefghijklmnopqrstuv";
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of raw) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 0x1f];
    }
    buffer &= (1 << bits) - 1;
  }
  return out + alphabet[(buffer << (5 - bits)) & 0x1f];
}

describe("DurationTracker", () => {
  const task = (id: string, action: string, actorId = "a1"): TalosEvent => ({
    id,
    actorId,
    payload: { type: "task", task: "stopAllServices", action },
  });

  it("times live events by their arrival, to the millisecond", () => {
    const t = 1_764_000_000;
    const d = new DurationTracker();
    expect(xidTimeMs(xidAt(t, 1))).toBe(t * 1000);
    expect(d.observe(task(xidAt(t, 1), "START"), t * 1000 + 100)).toEqual({});
    expect(d.observe(task(xidAt(t + 1, 2), "STOP"), t * 1000 + 1_334)).toEqual({
      durationMs: 1_234,
      durationExact: true,
    });
  });

  it("times replayed history by the seconds in the event ids", () => {
    const t = 1_764_000_000;
    const d = new DurationTracker();
    const later = (t + 600) * 1000;
    d.observe(task(xidAt(t, 1), "START"), later);
    expect(d.observe(task(xidAt(t + 3, 2), "STOP"), later + 1)).toEqual({
      durationMs: 3_000,
      durationExact: false,
    });
  });

  it("pairs starts and stops of the same actor only", () => {
    const t = 1_764_000_000;
    const d = new DurationTracker();
    d.observe(task(xidAt(t, 1), "START", "a1"), t * 1000);
    expect(d.observe(task(xidAt(t, 2), "STOP", "a2"), t * 1000 + 5)).toEqual({});
  });
});

describe("eventRow", () => {
  it("keeps hostile text storable and bounded, and dates the event by its id", () => {
    const id = xidAt(1_764_000_000, 7);
    const row = eventRow(
      { machineId: "m", clusterId: "c" },
      {
        id,
        actorId: "",
        payload: {
          type: "configLoadError",
          error: `<script>alert(1)</script>\u0000${"x".repeat(10_000)}\ud800`,
        },
      },
      new Date(),
    );
    if (!row) throw new Error("no row");
    expect(row.at.getTime()).toBe(1_764_000_000_000);
    const error = (row.payload as { error: string }).error;
    expect(error.startsWith("<script>alert(1)</script>\uFFFD")).toBe(true);
    expect(error).not.toContain("\u0000");
    expect(error.length).toBeLessThan(4_200);
    expect(row.message).toContain("Configuration could not be loaded: <script>");
  });

  it("times an event at its arrival when the node's clock cannot be right, and says what the node said", () => {
    const received = new Date("2026-12-07T10:00:00Z");
    const at = (seconds: number) =>
      eventRow(
        { machineId: "m", clusterId: "c" },
        { id: xidAt(seconds, 1), actorId: "", payload: { type: "configLoadError", error: "bad" } },
        received,
      );
    // A node whose clock was never set: March 1970.
    const past = at(6_912_000);
    expect(past?.at).toEqual(received);
    expect(past?.message).toBe(
      "Configuration could not be loaded: bad (timed when Minos received it: the node's clock said 1970-03-22 00:00:00 UTC)",
    );
    // A day ahead of Minos: wrong too.
    expect(at(received.getTime() / 1000 + 86_400)?.at).toEqual(received);
    // Minutes ahead (clocks drift) or days back (history replayed): the node's own time stands.
    expect(at(received.getTime() / 1000 + 120)?.at.getTime()).toBe(received.getTime() + 120_000);
    expect(at(received.getTime() / 1000 - 3 * 86_400)?.message).toBe(
      "Configuration could not be loaded: bad",
    );
  });
});
