// The rows the viewer shows for a filter, kept up to date as the stream adds lines and drops the
// oldest: when the new entries are the old ones with some dropped from the front and some appended
// (the usual case, many times a second), only those are looked at; anything else is recomputed.

import type { LogEntry, LogLine } from "../../../server/model/log-lines";
import { plainText } from "./ansi";
import { type CompiledFilter, findMatches, matchesText } from "./filter";
import { detectLevel, LEVELS, type Level } from "./levels";

interface LineInfo {
  plain: string;
  level: Level;
}

const infos = new WeakMap<LogLine, LineInfo>();

/** A line's text without escape sequences and its level, computed once per line. */
export function lineInfo(line: LogLine): LineInfo {
  let info = infos.get(line);
  if (!info) {
    info = { plain: plainText(line.text), level: detectLevel(line.text) };
    infos.set(line, info);
  }
  return info;
}

interface TextMatch {
  key: string;
  pass: boolean;
  count: number;
}
const textMatches = new WeakMap<LogLine, TextMatch>();

function textMatch(line: LogLine, filter: CompiledFilter): TextMatch {
  const cached = textMatches.get(line);
  if (cached?.key === filter.textKey) return cached;
  const { plain } = lineInfo(line);
  const pass = matchesText(plain, filter);
  const count = pass && filter.ok && filter.pattern ? findMatches(plain, filter.pattern).length : 0;
  const m = { key: filter.textKey, pass, count };
  textMatches.set(line, m);
  return m;
}

export type LevelCounts = Record<Level, number>;

export interface ViewState {
  /** The entries shown, in order: lines that pass the filter, and every marker. */
  rows: readonly LogEntry[];
  /** Matches of the text filter in each row (same indexes as rows); empty without a pattern. */
  rowMatches: readonly number[];
  totalMatches: number;
  /** Lines held per level, before filtering. */
  levelCounts: LevelCounts;
  /** Lines held, before filtering (markers not counted). */
  lines: number;
  /** Lines shown (markers not counted). */
  shownLines: number;
}

const zeroCounts = (): LevelCounts => Object.fromEntries(LEVELS.map((l) => [l, 0])) as LevelCounts;

export class FilteredView {
  private prev: readonly LogEntry[] = [];
  private filter: CompiledFilter | undefined;
  private state: ViewState = {
    rows: [],
    rowMatches: [],
    totalMatches: 0,
    levelCounts: zeroCounts(),
    lines: 0,
    shownLines: 0,
  };

  update(entries: readonly LogEntry[], filter: CompiledFilter): ViewState {
    if (filter === this.filter && entries === this.prev) return this.state;
    const sameFilter = this.filter !== undefined && filter.key === this.filter.key;
    this.filter = filter;
    const overlap = sameFilter ? this.overlap(entries) : undefined;
    this.state = overlap ? this.incremental(entries, overlap.dropped, overlap.kept) : this.full(entries);
    this.prev = entries;
    return this.state;
  }

  /** How the new entries continue the old: `dropped` old ones gone from the front, `kept` still there. */
  private overlap(entries: readonly LogEntry[]): { dropped: number; kept: number } | undefined {
    const prev = this.prev;
    if (prev.length === 0) return { dropped: 0, kept: 0 };
    if (entries.length === 0) return undefined;
    const j = prev.indexOf(entries[0] as LogEntry);
    if (j === -1) return undefined;
    const kept = prev.length - j;
    if (kept > entries.length || entries[kept - 1] !== prev[prev.length - 1]) return undefined;
    return { dropped: j, kept };
  }

  private passes(e: LogEntry, filter: CompiledFilter): { pass: boolean; count: number } {
    if (e.type === "marker") return { pass: true, count: 0 };
    if (filter.levels && !filter.levels.has(lineInfo(e).level)) return { pass: false, count: 0 };
    const m = textMatch(e, filter);
    return { pass: filter.showAll || m.pass, count: m.count };
  }

  private isUnfiltered(filter: CompiledFilter): boolean {
    return !filter.levels && (!filter.ok || !filter.pattern);
  }

  private full(entries: readonly LogEntry[]): ViewState {
    const filter = this.filter as CompiledFilter;
    const levelCounts = zeroCounts();
    let lines = 0;
    for (const e of entries) {
      if (e.type !== "line") continue;
      lines++;
      levelCounts[lineInfo(e).level]++;
    }
    if (this.isUnfiltered(filter)) {
      return { rows: entries, rowMatches: [], totalMatches: 0, levelCounts, lines, shownLines: lines };
    }
    const rows: LogEntry[] = [];
    const rowMatches: number[] = [];
    let totalMatches = 0;
    let shownLines = 0;
    for (const e of entries) {
      const { pass, count } = this.passes(e, filter);
      if (!pass) continue;
      rows.push(e);
      rowMatches.push(count);
      totalMatches += count;
      if (e.type === "line") shownLines++;
    }
    return { rows, rowMatches, totalMatches, levelCounts, lines, shownLines };
  }

  private incremental(entries: readonly LogEntry[], dropped: number, kept: number): ViewState {
    const filter = this.filter as CompiledFilter;
    const old = this.state;
    const levelCounts = { ...old.levelCounts };
    let lines = old.lines;
    let droppedRows = 0;
    let droppedMatches = 0;
    let shownLines = old.shownLines;
    for (let i = 0; i < dropped; i++) {
      const e = this.prev[i] as LogEntry;
      if (e.type === "line") {
        lines--;
        levelCounts[lineInfo(e).level]--;
      }
      const { pass, count } = this.passes(e, filter);
      if (pass) {
        droppedRows++;
        droppedMatches += count;
        if (e.type === "line") shownLines--;
      }
    }
    const added: LogEntry[] = [];
    const addedMatches: number[] = [];
    let newMatches = 0;
    for (let i = kept; i < entries.length; i++) {
      const e = entries[i] as LogEntry;
      if (e.type === "line") {
        lines++;
        levelCounts[lineInfo(e).level]++;
      }
      const { pass, count } = this.passes(e, filter);
      if (pass) {
        added.push(e);
        addedMatches.push(count);
        newMatches += count;
        if (e.type === "line") shownLines++;
      }
    }
    if (this.isUnfiltered(filter)) {
      return { rows: entries, rowMatches: [], totalMatches: 0, levelCounts, lines, shownLines: lines };
    }
    const rows = old.rows.slice(droppedRows);
    for (const e of added) rows.push(e);
    const hasPattern = filter.ok && filter.pattern !== undefined;
    const rowMatches = hasPattern ? old.rowMatches.slice(droppedRows).concat(addedMatches) : [];
    return {
      rows,
      rowMatches,
      totalMatches: old.totalMatches - droppedMatches + newMatches,
      levelCounts,
      lines,
      shownLines,
    };
  }
}
