// The filtered rows as the stream appends lines and drops the oldest: the incremental path must
// give exactly what a fresh computation gives.
import { describe, expect, it } from "vitest";
import type { LogEntry, LogLine, LogMarker } from "../../../server/model/log-lines";
import { compileFilter, type LogFilter, NO_FILTER } from "./filter";
import { FilteredView } from "./filtered-view";

let seq = 0;
const line = (text: string, machineId = "m1"): LogLine => ({
  type: "line",
  seq: ++seq,
  machineId,
  time: seq,
  text,
});
const marker = (text: string): LogMarker => ({ type: "marker", seq: ++seq, time: seq, kind: "gap", text });
const f = (over: Partial<LogFilter>) => compileFilter({ ...NO_FILTER, ...over });

function fresh(entries: readonly LogEntry[], filter: ReturnType<typeof compileFilter>) {
  return new FilteredView().update(entries, filter);
}

describe("FilteredView", () => {
  it("passes entries through untouched without a filter, counting levels", () => {
    const entries = [
      line("I1125 10:00:00.000000 1 a.go:1] up"),
      line('{"level":"error","msg":"x"}'),
      marker("gap"),
    ];
    const v = new FilteredView().update(entries, f({}));
    expect(v.rows).toBe(entries);
    expect(v.lines).toBe(2);
    expect(v.levelCounts).toMatchObject({ info: 1, error: 1, warn: 0 });
  });

  it("keeps matching lines and every marker, and counts matches", () => {
    const entries = [line("error one error"), line("fine"), marker("reconnected"), line("ERROR two")];
    const v = new FilteredView().update(entries, f({ query: "error" }));
    expect(v.rows.map((e) => (e.type === "line" ? e.text : `[${e.text}]`))).toEqual([
      "error one error",
      "[reconnected]",
      "ERROR two",
    ]);
    expect(v.rowMatches).toEqual([2, 0, 1]);
    expect(v.totalMatches).toBe(3);
  });

  it("shows every line with matches counted when showing all", () => {
    const entries = [line("error"), line("fine")];
    const v = new FilteredView().update(entries, f({ query: "error", showAll: true }));
    expect(v.rows).toHaveLength(2);
    expect(v.rowMatches).toEqual([1, 0]);
  });

  it("filters by level", () => {
    const entries = [line('{"level":"error","msg":"a"}'), line('{"level":"info","msg":"b"}'), line("plain")];
    const v = new FilteredView().update(entries, f({ levels: ["error", "none"] }));
    expect(v.rows.map((e) => (e as LogLine).text)).toEqual(['{"level":"error","msg":"a"}', "plain"]);
  });

  it("matches what the user sees, not the escape sequences", () => {
    const v = new FilteredView().update([line("\x1b[31mERR\x1b[0mOR")], f({ query: "error" }));
    expect(v.rows).toHaveLength(1);
  });

  it("gives the same rows incrementally as from scratch while lines arrive and the oldest drop", () => {
    const view = new FilteredView();
    const filter = f({ query: "e[0-9]*7", regex: true, levels: ["error", "info", "none"] });
    const pool: LogEntry[] = [];
    let entries: LogEntry[] = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 13; i++) {
        const n = pool.length;
        pool.push(
          n % 50 === 0
            ? marker(`gap ${n}`)
            : line(
                n % 3 === 0
                  ? `{"level":"warn","msg":"e${n}"}`
                  : n % 3 === 1
                    ? `E1125 10:00:00.0 1 x] e${n}`
                    : `e${n}`,
              ),
        );
      }
      // Keep the last 300, as the stream does at its cap.
      entries = pool.slice(-300);
      const got = view.update(entries, filter);
      const want = fresh(entries, filter);
      expect(got.rows).toEqual(want.rows);
      expect(got.rowMatches).toEqual(want.rowMatches);
      expect(got.totalMatches).toBe(want.totalMatches);
      expect(got.levelCounts).toEqual(want.levelCounts);
      expect(got.lines).toBe(want.lines);
      expect(got.shownLines).toBe(want.shownLines);
    }
    expect(entries).toHaveLength(300);
  });

  it("recomputes when lines are inserted in the middle or the view is cleared", () => {
    const view = new FilteredView();
    const filter = f({ query: "x" });
    const a = line("x a");
    const b = line("x b");
    const c = line("x c");
    view.update([a, c], filter);
    expect(view.update([a, b, c], filter).rows).toEqual([a, b, c]);
    expect(view.update([], filter).rows).toEqual([]);
    const d = line("x d");
    expect(view.update([d], filter).rows).toEqual([d]);
  });
});
