// The subscriber's buffer: bounded by lines and characters, says how many lines it dropped and where,
// and anchors each frame at the last lines taken.
import { describe, expect, it } from "vitest";
import { LogSession } from "./log-session";
import { findAnchor } from "./resume-id";

const limits = { maxLines: 100, maxChars: 10_000, frameMs: 5, frameLines: 1_000 };

describe("LogSession", () => {
  it("drops lines beyond its bound instead of growing, and marks the gap with the count", async () => {
    const s = new LogSession(["m0", "m1"], limits);
    for (let i = 0; i < 250; i++) s.pushLine(i % 2, 1_000 + i, `line ${i}`);
    expect(s.pendingLines).toBe(100);
    const frame = await s.next(new AbortController().signal);
    expect(frame?.text).toHaveLength(100);
    expect(frame?.markers.map((m) => [m.machine, m.kind, m.at, m.text])).toEqual([
      [0, "gap", 100, "75 lines dropped here: the connection to the browser could not keep up"],
      [1, "gap", 100, "75 lines dropped here: the connection to the browser could not keep up"],
    ]);
    // the gap sits right after each machine's last line kept
    expect(frame?.markers[0]?.time).toBe(1_000 + 98);
    expect(s.droppedTotal).toBe(150);
  });

  it("bounds by characters too", async () => {
    const s = new LogSession(["m0"], limits);
    for (let i = 0; i < 5; i++) s.pushLine(0, i, "x".repeat(4_000));
    const frame = await s.next(new AbortController().signal);
    expect(frame?.text).toHaveLength(2);
    expect(frame?.markers[0]?.text).toMatch(/^3 lines dropped here/);
  });

  it("anchors what was taken so a reconnect can find its place in the node's tail", async () => {
    const s = new LogSession(["m0", "m1"], limits);
    for (let i = 0; i < 10; i++) s.pushLine(0, i, `a${i}`);
    s.pushLine(1, 0, "b0");
    await s.next(new AbortController().signal);
    const [a, b] = s.anchors();
    const tail = Array.from({ length: 20 }, (_, i) => `a${i}`);
    expect(findAnchor(tail, a as string)).toBe(9);
    expect(findAnchor(["b0", "b1"], b as string)).toBe(0);
    expect(findAnchor(["zz"], a as string)).toBe(-1);
  });

  it("ends the wait when the subscriber leaves", async () => {
    const s = new LogSession(["m0"], limits);
    const ac = new AbortController();
    // the first frame says where each machine stands
    expect((await s.next(ac.signal))?.states).toEqual([
      { machineId: "m0", status: "connecting", message: "connecting…" },
    ]);
    setTimeout(() => ac.abort(), 10);
    expect(await s.next(ac.signal)).toBeUndefined();
  });
});
