// Times read from the line formats Talos services write; lines without one get none.
import { describe, expect, it } from "vitest";
import { etcdLine, kubeletLine, logrusLine, machinedLine, zapConsoleLine } from "@/sim";
import { lineTime } from "./line-time";

const t = Date.UTC(2026, 10, 25, 21, 4, 5, 123);
const now = t + 60_000;

describe("lineTime", () => {
  it("reads the formats of Talos's services", () => {
    expect(lineTime(machinedLine(t, "boot sequence: done"), now)).toBe(t);
    expect(lineTime(zapConsoleLine(t, "INFO", "controller started", { a: 1 }), now)).toBe(t);
    expect(lineTime(kubeletLine(t, "kubelet.go:1", "SyncLoop"), now)).toBeCloseTo(t + 0.4713, 3);
    expect(lineTime(etcdLine(t, "info", "x.go:1", "compact"), now)).toBeCloseTo(t + 0.412, 3);
    expect(lineTime(logrusLine(t, "info", "serving"), now)).toBeCloseTo(t + 0.137, 3);
    expect(lineTime(`kern:    info: [2026-11-25T21:04:05.123419Z]: eth0: link up`, now)).toBeCloseTo(t, 0);
  });

  it("reads klog, logfmt, zap seconds and zones", () => {
    expect(lineTime("I1125 21:04:05.123000   1234 server.go:1] started", now)).toBe(t);
    expect(lineTime('time="2026-11-25T21:04:05.123Z" level=info msg=x', now)).toBe(t);
    expect(lineTime(`{"level":"info","ts":${t / 1000},"msg":"x"}`, now)).toBeCloseTo(t, 0);
    expect(lineTime("2026-11-25T22:04:05.123+01:00 started", now)).toBe(t);
  });

  it("gives nothing for lines without a time, and ignores implausible numbers", () => {
    expect(lineTime("udevd[412]: starting version 3.2.14", now)).toBeUndefined();
    expect(lineTime("    at Object.<anonymous> (/app/index.js:1:1)", now)).toBeUndefined();
    expect(lineTime('{"ts":12345678901,"msg":"x"}', now)).toBeUndefined(); // 1970
    expect(lineTime("2099-01-01T00:00:00Z from the future", now)).toBeUndefined();
  });
});
