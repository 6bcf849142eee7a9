// Downloads hold what is shown: text like the view, or JSON lines with machine, time and line.
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../../server/model/log-lines";
import { downloadName, toJsonLines, toText } from "./download";

const machines = [
  { id: "a", hostname: "node-a" },
  { id: "b", hostname: "node-b" },
];
const t = Date.UTC(2025, 10, 25, 10, 11, 12, 345);
const rows: LogEntry[] = [
  { type: "line", seq: 1, machineId: "a", time: t, text: "\x1b[34mINFO\x1b[0m started" },
  {
    type: "marker",
    seq: 2,
    machineId: "b",
    time: t + 1,
    kind: "gap",
    text: "lines may be missing (reconnected)",
  },
  { type: "line", seq: 3, machineId: "b", time: t + 2, text: '<script>alert("x")</script>' },
];

describe("toText", () => {
  it("writes machine and time like the view, without escape sequences", () => {
    expect(toText(rows, machines, { timestamps: true })).toBe(
      [
        "node-a 2025-11-25 10:11:12.345 INFO started",
        "node-b 2025-11-25 10:11:12.346 --- gap: lines may be missing (reconnected) ---",
        'node-b 2025-11-25 10:11:12.347 <script>alert("x")</script>',
        "",
      ].join("\n"),
    );
  });

  it("leaves out the machine for one machine and the time when timestamps are off", () => {
    expect(toText(rows.slice(0, 1), machines.slice(0, 1), { timestamps: false })).toBe("INFO started\n");
  });
});

describe("toJsonLines", () => {
  it("writes one object per row with machine, time and the line as sent", () => {
    const out = toJsonLines(rows, machines)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out).toEqual([
      {
        machine: "node-a",
        machineId: "a",
        time: "2025-11-25T10:11:12.345Z",
        line: "\x1b[34mINFO\x1b[0m started",
      },
      {
        machine: "node-b",
        machineId: "b",
        time: "2025-11-25T10:11:12.346Z",
        marker: "gap",
        text: "lines may be missing (reconnected)",
      },
      {
        machine: "node-b",
        machineId: "b",
        time: "2025-11-25T10:11:12.347Z",
        line: '<script>alert("x")</script>',
      },
    ]);
  });
});

describe("downloadName", () => {
  it("names source, machine and time, with nothing unsafe in it", () => {
    expect(downloadName("kubelet", machines.slice(0, 1), "text", t)).toBe(
      "minos-logs-kubelet-node-a-20251125T101112Z.log",
    );
    expect(downloadName("../etc", [{ id: "x", hostname: "a/b c" }], "jsonl", t)).toBe(
      "minos-logs-.._etc-a_b_c-20251125T101112Z.jsonl",
    );
    expect(downloadName("kernel", machines, "jsonl", t)).toBe(
      "minos-logs-kernel-2-machines-20251125T101112Z.jsonl",
    );
  });
});
