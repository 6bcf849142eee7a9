// The text filter: plain or regex, case, invalid patterns, matches and highlighting.
import { describe, expect, it } from "vitest";
import { compileFilter, findMatches, highlightRuns, type LogFilter, matchesText, NO_FILTER } from "./filter";

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

  it("says what is wrong with an invalid regex and matches every line meanwhile", () => {
    const c = f({ query: "(unclosed", regex: true });
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.error).toMatch(
      /^Not a valid regular expression \(Unterminated group\): the filter is not applied/,
    );
    expect(matchesText("anything", c)).toBe(true);
  });

  it("keeps levels only when some are left out", () => {
    expect(f({}).levels).toBeUndefined();
    expect([...(f({ levels: ["error", "warn"] }).levels ?? [])]).toEqual(["error", "warn"]);
  });
});

describe("findMatches", () => {
  it("finds every non-empty match and survives empty ones", () => {
    expect(findMatches("a-bb-a", /b+/g)).toEqual([[2, 4]]);
    expect(findMatches("abc", /x*/g)).toEqual([]);
    expect(findMatches("aaa", /a/gi)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it("stops at the cap", () => {
    expect(findMatches("x".repeat(5000), /x/g, 1000)).toHaveLength(1000);
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
