// ANSI sequences to styled runs; everything else stays visible text.
import { describe, expect, it } from "vitest";
import { zapConsoleLine } from "@/sim";
import { paletteColour, plainText, sanitize, toRuns } from "./ansi";

const text = (raw: string) =>
  toRuns(raw)
    .map((r) => r.text)
    .join("");

describe("toRuns", () => {
  it("colours zap's level and keeps the rest of the line as it was", () => {
    const line = zapConsoleLine(Date.UTC(2025, 0, 1), "ERROR", "reconcile failed", { n: 1 });
    const runs = toRuns(line);
    const level = runs.find((r) => r.text === "ERROR");
    expect(level?.className).toContain("text-red-700");
    expect(text(line)).toBe('2025-01-01T00:00:00.000Z\tERROR\treconcile failed\t{"n": 1}');
  });

  it("renders bold, 256 colours and true colour; reset ends them", () => {
    const runs = toRuns("\x1b[1;32mok\x1b[0m \x1b[38;5;196mred\x1b[0m \x1b[48;2;10;20;30mbg\x1b[0m plain");
    expect(runs.map((r) => r.text)).toEqual(["ok", " ", "red", " ", "bg", " plain"]);
    expect(runs[0]?.className).toContain("font-bold");
    expect(runs[0]?.className).toContain("text-green-700");
    expect(runs[2]?.color).toBe("rgb(255, 0, 0)");
    expect(runs[4]?.background).toBe("rgb(10, 20, 30)");
    expect(runs[5]).toEqual({ text: " plain", className: "" });
  });

  it("shows broken and unknown escape sequences as text instead of swallowing what follows", () => {
    expect(text("cut off \x1b[")).toBe("cut off ^[[");
    expect(text("lone \x1b here")).toBe("lone ^[ here");
    expect(text("bad \x1b[\u00e9tail")).toBe("bad ^[[\u00e9tail");
    // OSC 8 hyperlinks are not followed: the target stays text.
    expect(text("\x1b]8;;http://evil.example\x07click\x1b]8;;\x07")).toBe(
      "^[]8;;http://evil.example^Gclick^[]8;;^G",
    );
    // A complete non-colour sequence (cursor movement) is dropped, as a terminal would not print it.
    expect(text("a\x1b[2Kb")).toBe("ab");
  });

  it("makes control characters visible in caret notation, bidirectional overrides as �", () => {
    expect(sanitize("nul\x00 bell\x07 del\x7f")).toBe("nul^@ bell^G del^?");
    expect(sanitize("tab\tstays")).toBe("tab\tstays");
    expect(sanitize("line\r")).toBe("line");
    expect(sanitize("evil\u202Etxt.exe")).toBe("evil\ufffdtxt.exe");
  });

  it("keeps markup as text", () => {
    expect(text("<script>alert(1)</script>")).toBe("<script>alert(1)</script>");
  });

  it("shows the same text the filter matches, for hostile input", () => {
    const inputs = [
      "\x1b[31mred\x1b[0m and \x1b[ broken",
      "\x1b[1;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;31mlong",
      "a\nb\x1b[31mc\n31md",
      "\x1b\x1b[31m\x1b",
      "\ud800 lone surrogate \x1b[0m",
    ];
    for (const raw of inputs) expect(text(raw)).toBe(plainText(raw));
  });

  it("stops at the limit so a 1 MB line stays cheap", () => {
    const huge = `\x1b[32m${"x".repeat(1_000_000)}\x1b[0m`;
    const started = performance.now();
    const runs = toRuns(huge, 10_000);
    expect(runs.reduce((n, r) => n + r.text.length, 0)).toBe(10_000);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("paletteColour", () => {
  it("maps the cube and the grey ramp", () => {
    expect(paletteColour(16)).toBe("rgb(0, 0, 0)");
    expect(paletteColour(231)).toBe("rgb(255, 255, 255)");
    expect(paletteColour(244)).toBe("rgb(128, 128, 128)");
    expect(paletteColour(300)).toBeUndefined();
  });
});
