// Level detection on lines in the formats Talos nodes write (the simulator's generators write the
// real formats) and the common others.
import { describe, expect, it } from "vitest";
import { etcdLine, goStdLine, kubeletLine, logrusLine, machinedLine, zapConsoleLine } from "@/sim";
import { detectLevel } from "./levels";

const t = Date.UTC(2025, 10, 25, 10, 11, 12, 345);

describe("detectLevel", () => {
  it("reads zap console lines with coloured levels (controller-runtime, udevd)", () => {
    expect(detectLevel(zapConsoleLine(t, "INFO", "controller started", { controller: "x" }))).toBe("info");
    expect(detectLevel(zapConsoleLine(t, "WARN", "request failed", {}))).toBe("warn");
    expect(detectLevel(zapConsoleLine(t, "ERROR", "reconcile failed", {}))).toBe("error");
    expect(detectLevel(zapConsoleLine(t, "DEBUG", "tick", {}))).toBe("debug");
  });

  it("reads JSON lines: etcd's zap, containerd's logrus, level/lvl/severity keys, pino numbers", () => {
    expect(detectLevel(etcdLine(t, "warn", "etcdserver/x.go:1", "slow fdatasync"))).toBe("warn");
    expect(detectLevel(etcdLine(t, "info", "embed/etcd.go:140", "configuring peer listeners"))).toBe("info");
    expect(detectLevel(logrusLine(t, "error", "failed to pull image"))).toBe("error");
    expect(detectLevel(logrusLine(t, "debug", "gc"))).toBe("debug");
    expect(detectLevel('{"lvl":"eror","msg":"x"}')).toBe("none");
    expect(detectLevel('{"lvl":"warning","msg":"x"}')).toBe("warn");
    expect(detectLevel('{"severity":"CRITICAL","message":"disk"}')).toBe("error");
    expect(detectLevel('{"level":50,"msg":"pino error"}')).toBe("error");
    expect(detectLevel('{"level":30,"msg":"pino info"}')).toBe("info");
    expect(detectLevel('{"level":"fatal","msg":"bye"}')).toBe("error");
    expect(detectLevel('{"L":"WARN","M":"zap dev json"}')).toBe("warn");
  });

  it("reads klog JSON (kubelet): err means error, v is verbosity", () => {
    expect(detectLevel(kubeletLine(t, "kubelet/kubelet.go:2345", "SyncLoop (PLEG)"))).toBe("info");
    expect(detectLevel('{"ts":1764065472345.1,"caller":"x.go:1","msg":"Failed","err":"boom"}')).toBe("error");
    expect(detectLevel('{"ts":1764065472345.1,"caller":"x.go:1","msg":"detail","v":4}')).toBe("debug");
  });

  it("does not read a level out of a quoted message", () => {
    expect(detectLevel('{"ts":1,"msg":"saw \\"level\\":\\"error\\" in a body","v":0}')).toBe("info");
  });

  it("reads klog text, logfmt, etcd's capnslog and dmesg records", () => {
    expect(detectLevel("I1125 10:11:12.345678    1234 kubelet.go:2345] SyncLoop ADD")).toBe("info");
    expect(detectLevel("W1125 10:11:12.345678    1234 reflector.go:1] watch ended")).toBe("warn");
    expect(detectLevel("E1125 10:11:12.345678    1234 pod_workers.go:1] Error syncing pod")).toBe("error");
    expect(detectLevel("F1125 10:11:12.345678    1234 server.go:1] failed to run Kubelet")).toBe("error");
    expect(detectLevel('time="2025-11-25T10:11:12Z" level=warning msg="cleanup failed"')).toBe("warn");
    expect(detectLevel('ts=2025-11-25T10:11:12Z level="error" msg="x"')).toBe("error");
    expect(
      detectLevel("2019-03-01 10:11:12.345678 W | etcdserver: read-only range request took too long"),
    ).toBe("warn");
    expect(detectLevel("kern:    warning: [2025-11-25T10:11:12.345Z]: EXT4-fs warning")).toBe("warn");
    expect(detectLevel("kern:        err: [2025-11-25T10:11:12.345Z]: I/O error, dev sda")).toBe("error");
    expect(detectLevel("daemon:     info: [2025-11-25T10:11:12.345Z]: started")).toBe("info");
  });

  it("leaves lines without a level as none (machined, Go standard log, plain text)", () => {
    expect(detectLevel(machinedLine(t, "boot sequence: done: 10.05s"))).toBe("none");
    expect(detectLevel(goStdLine(t, "main.go:78", "apid version: v1.11.5"))).toBe("none");
    expect(detectLevel("an error occurred somewhere")).toBe("none");
    expect(detectLevel("")).toBe("none");
  });

  it("looks only at the start of a 1 MB line", () => {
    const huge = `I1125 10:11:12.345678 1 x.go:1] ${"x".repeat(1_000_000)}`;
    expect(detectLevel(huge)).toBe("info");
    // A level far into a huge line is not searched for (the viewer never scans a megabyte per row).
    expect(detectLevel(`${"y".repeat(1_000_000)} level=error`)).toBe("none");
  });
});
