// The text filter: plain text or a regular expression, case-sensitive or not, compiled once and
// used both to choose lines and to find the matches to highlight.
import { LEVELS, type Level } from "./levels";
import { literalPattern, regexPattern, type TextPattern } from "./text-pattern";

export interface LogFilter {
  query: string;
  regex: boolean;
  caseSensitive: boolean;
  /** Levels shown; all of them when every level is listed. */
  levels: readonly Level[];
  /** false: only lines that match are shown; true: all lines, matches highlighted. */
  showAll: boolean;
}

export const NO_FILTER: LogFilter = {
  query: "",
  regex: false,
  caseSensitive: false,
  levels: LEVELS,
  showAll: false,
};

interface CompiledCommon {
  /** Levels shown; undefined: all. */
  levels: ReadonlySet<Level> | undefined;
  showAll: boolean;
  /** Identifies the whole filter. */
  key: string;
  /** Identifies its text part (query, regex, case): what per-line match results depend on. */
  textKey: string;
}

export type CompiledFilter =
  | (CompiledCommon & { ok: true; pattern: TextPattern | undefined })
  | (CompiledCommon & { ok: false; error: string });

/** Most matches counted and highlighted in one line (a pattern like `.` in a 1 MB line). */
export const MAX_MATCHES_PER_LINE = 1000;

export function compileFilter(f: LogFilter): CompiledFilter {
  const levels = f.levels.length >= LEVELS.length ? undefined : new Set(f.levels);
  const textKey = JSON.stringify([f.query, f.regex, f.caseSensitive]);
  const common = {
    levels,
    showAll: f.showAll,
    textKey,
    key: JSON.stringify([textKey, f.showAll, [...(levels ?? [])].sort()]),
  };
  if (f.query === "") return { ...common, ok: true, pattern: undefined };
  if (!f.regex) return { ...common, ok: true, pattern: literalPattern(f.query, f.caseSensitive) };
  try {
    return { ...common, ok: true, pattern: regexPattern(f.query, f.caseSensitive) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : "";
    return {
      ...common,
      ok: false,
      error: `Not a valid regular expression${reason ? `: ${reason}` : ""}. The filter is not applied. Fix it (look-arounds and back-references are not supported: matching stays fast on any line), or turn off Regex to search for the text as typed.`,
    };
  }
}

/** Where `pattern` matches in `text`: [start, end) pairs, empty matches left out, at most `max`. */
export function findMatches(
  text: string,
  pattern: TextPattern,
  max = MAX_MATCHES_PER_LINE,
): Array<[number, number]> {
  return pattern.matches(text, max);
}

/** Whether a line passes the text part of a filter (lines match when there is no valid pattern). */
export function matchesText(text: string, filter: CompiledFilter): boolean {
  if (!filter.ok || !filter.pattern) return true;
  return filter.pattern.test(text);
}

/** Cuts styled runs at match boundaries: each piece says whether it is in a match, and which one. */
export function highlightRuns<T extends { text: string }>(
  runs: readonly T[],
  ranges: ReadonlyArray<readonly [number, number]>,
): Array<{ run: T; text: string; match: number }> {
  const out: Array<{ run: T; text: string; match: number }> = [];
  let pos = 0;
  let r = 0;
  for (const run of runs) {
    const end = pos + run.text.length;
    let at = pos;
    while (at < end) {
      while (r < ranges.length && (ranges[r]?.[1] ?? 0) <= at) r++;
      const range = ranges[r];
      if (!range || range[0] >= end) {
        out.push({ run, text: run.text.slice(at - pos), match: -1 });
        at = end;
      } else if (range[0] > at) {
        out.push({ run, text: run.text.slice(at - pos, range[0] - pos), match: -1 });
        at = range[0];
      } else {
        const stop = Math.min(range[1], end);
        out.push({ run, text: run.text.slice(at - pos, stop - pos), match: r });
        at = stop;
      }
    }
    pos = end;
  }
  return out;
}
