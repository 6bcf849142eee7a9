// The text filter: plain or regex, case, invalid patterns, matches and highlighting.

import { describe, expect, it } from "vitest";
import { compileFilter, findMatches, highlightRuns, type LogFilter, matchesText, NO_FILTER } from "./filter";
import { literalPattern, regexPattern } from "./text-pattern";

const f = (over: Partial<LogFilter>) => compileFilter({ ...NO_FILTER, ...over });

describe("compileFilter", () => {
  it("matches plain text literally and case-insensitively by default", () => {
    const c = f({ query: "a.b(" });
    expect(matchesText("x A.B( y", c)).toBe(true);
    expect(matchesText("axb(", c)).toBe(false);
  });

  it("honours the case toggle", () => {
    expect(matchesText("Error", f({ query: "error", caseSensitive: true }))).toBe(false);
    expect(matchesText("error", f({ query: "error", caseSensitive: true }))).toBe(true);
  });

  it("compiles regular expressions", () => {
    const c = f({ query: "pod_workers|E11\\d{2}", regex: true });
    expect(matchesText("E1125 10:11:12", c)).toBe(true);
    expect(matchesText("I1125 10:11:12", c)).toBe(false);
  });

  it("says what is wrong with an invalid regex, or one RE2 does not run, and matches every line meanwhile", () => {
    const lookaround = f({ query: "error(?=:)", regex: true });
    expect(!lookaround.ok && lookaround.error).toMatch(
      /^Not a valid regular expression: invalid or unsupported Perl syntax: `\(\?=`\. The filter is not applied\. Fix it \(look-arounds and back-references are not supported/,
    );
    const c = f({ query: "(unclosed", regex: true });
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.error).toMatch(
      /^Not a valid regular expression: missing closing \)\. The filter is not applied/,
    );
    expect(matchesText("anything", c)).toBe(true);
  });

  it("keeps levels only when some are left out", () => {
    expect(f({}).levels).toBeUndefined();
    expect([...(f({ levels: ["error", "warn"] }).levels ?? [])]).toEqual(["error", "warn"]);
  });
});

describe("findMatches", () => {
  it("finds every non-empty match and survives empty ones, for text as typed and regular expressions", () => {
    expect(findMatches("a-bb-a", regexPattern("b+", true))).toEqual([[2, 4]]);
    expect(findMatches("abc", regexPattern("x*", true))).toEqual([]);
    expect(findMatches("aaa", literalPattern("A", false))).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(findMatches("é😀 syncLoop", regexPattern("sync(loop)?", false))).toEqual([[4, 12]]);
  });

  it("stops at the cap", () => {
    expect(findMatches("x".repeat(5000), literalPattern("x", true), 1000)).toHaveLength(1000);
    expect(findMatches("x".repeat(5000), regexPattern("x", true), 1000)).toHaveLength(1000);
  });

  it("runs a pattern that backtracks catastrophically in linear time (a shared link cannot freeze the tab)", () => {
    const line = `${"A".repeat(65_536)}C`;
    const started = performance.now();
    expect(findMatches(line, regexPattern("(A+)+B", true))).toEqual([]);
    // The browser's own engine takes 2^n steps here (25 s seen); RE2 a few hundred ms on a slow machine.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("highlightRuns", () => {
  it("cuts styled runs at match boundaries, across runs", () => {
    const runs = [
      { text: "hello ", className: "a" },
      { text: "world", className: "b" },
    ];
    const pieces = highlightRuns(runs, [
      [4, 8],
      [9, 11],
    ]);
    expect(pieces.map((p) => [p.text, p.run.className, p.match])).toEqual([
      ["hell", "a", -1],
      ["o ", "a", 0],
      ["wo", "b", 0],
      ["r", "b", -1],
      ["ld", "b", 1],
    ]);
  });

  it("ignores matches beyond the shown text", () => {
    const pieces = highlightRuns([{ text: "abc" }], [[5, 9]]);
    expect(pieces.map((p) => [p.text, p.match])).toEqual([["abc", -1]]);
  });
});
