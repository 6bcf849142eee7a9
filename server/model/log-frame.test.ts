// Frames travel packed into one string and come back exactly as they were.
import { describe, expect, it } from "vitest";
import { type LogFrame, packFrame, unpackFrame } from "./log-frame";

const frame = (text: string[]): LogFrame => ({
  machine: text.map((_, i) => i % 2),
  time: text.map((_, i) => 1_700_000_000_000.5 + i),
  text,
  markers: [{ at: 1, machine: 0, kind: "gap", time: 1, text: "3 lines dropped" }],
  states: [{ machineId: "m", status: "retrying", message: "the node is rebooting: retrying in 2 s" }],
});

describe("packed frames", () => {
  it("round-trip lines with quotes, markup, ANSI, empty lines and replacement characters", () => {
    const f = frame([
      '{"ts":1,"msg":"a \\"quoted\\" word"}',
      "<script>x</script>",
      "",
      "\x1b[31mred",
      "\uFFFD",
    ]);
    expect(unpackFrame(packFrame(f))).toEqual(f);
  });

  it("round-trip a line holding a newline (a kernel record) and a frame without lines", () => {
    const f = frame(["one\ntwo", "three"]);
    expect(unpackFrame(packFrame(f))).toEqual(f);
    const empty = { ...frame([]), markers: [] };
    expect(unpackFrame(packFrame(empty))).toEqual(empty);
    const oneEmpty = frame([""]);
    expect(unpackFrame(packFrame(oneEmpty))).toEqual(oneEmpty);
  });
});
