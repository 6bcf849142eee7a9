"use client";
// The live log view: what the stream holds, filtered and highlighted, with pause/resume, follow,
// level filter, machine legend, view toggles (remembered) and download. It renders what it is
// given; talking to the server is the stream hook's job.
import { ChevronDown, Download, Eraser, Pause, Play } from "lucide-react";
import { type ReactNode, useCallback, useMemo, useRef, useState } from "react";
import type { LogEntry, LogMachine, MachineStreamState } from "../../../server/model/log-lines";
import { type DownloadFormat, downloadName, toJsonLines, toText } from "./download";
import { compileFilter, type LogFilter } from "./filter";
import { FilterInput, LevelFilter, ToggleButton } from "./filter-bar";
import { FilteredView } from "./filtered-view";
import { LogLegend } from "./log-legend";
import { LogList, type LogListHandle } from "./log-list";
import type { RowProps } from "./log-row";
import { machineColour } from "./machine-colours";
import { useStoredToggle } from "./use-stored-toggle";

/** What the viewer needs from the stream (the shape useLogStream returns). */
export interface LogStreamView {
  entries: readonly LogEntry[];
  states: ReadonlyMap<string, MachineStreamState>;
  paused: boolean;
  setPaused(p: boolean): void;
  buffered: number;
  droppedOldest: number;
  clear(): void;
  error: string | undefined;
}

export const DEFAULT_CAP = 100_000;

const n = (v: number) => v.toLocaleString("en-US");

export function LogViewer({
  machines,
  stream,
  source,
  filter,
  onFilterChange,
  cap = DEFAULT_CAP,
  controls,
}: {
  machines: readonly LogMachine[];
  stream: LogStreamView;
  /** The log source shown, for the download's file name. */
  source: string;
  filter: LogFilter;
  onFilterChange: (f: LogFilter) => void;
  cap?: number;
  /** The page's stream controls (source, tail, follow), shown first in the toolbar. */
  controls?: ReactNode;
}) {
  const [showTime, setShowTime] = useStoredToggle("minos.logs.timestamps", true);
  const [localTime, setLocalTime] = useStoredToggle("minos.logs.localTime", false);
  const zone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  const [wrap, setWrap] = useStoredToggle("minos.logs.wrap", false);
  const compiled = useMemo(() => compileFilter(filter), [filter]);
  const view = useRef(new FilteredView());
  const state = view.current.update(stream.entries, compiled);
  const list = useRef<LogListHandle>(null);
  const pattern = compiled.ok ? compiled.pattern : undefined;

  // The current match: which row (by seq) and which match within it.
  const [current, setCurrent] = useState<{ seq: number; k: number; key: string } | undefined>();
  const cur = current?.key === compiled.textKey ? current : undefined;
  const currentRow = useMemo(
    () => (cur ? state.rows.findIndex((e) => e.seq === cur.seq) : -1),
    [cur, state.rows],
  );
  const ordinal = useMemo(() => {
    if (!cur || currentRow < 0) return 0;
    let before = 0;
    for (let i = 0; i < currentRow; i++) before += state.rowMatches[i] ?? 0;
    return before + cur.k + 1;
  }, [cur, currentRow, state.rowMatches]);

  const step = useCallback(
    (direction: 1 | -1) => {
      const { rows, rowMatches, totalMatches } = state;
      if (!pattern || totalMatches === 0) return;
      let r = currentRow;
      let k = cur?.k ?? -1;
      if (r < 0) {
        // Nothing chosen yet: start from the first row in sight.
        r = list.current?.firstVisibleRow() ?? 0;
        k = direction === 1 ? -1 : (rowMatches[r] ?? 0);
      }
      k += direction;
      while (k < 0 || k >= (rowMatches[r] ?? 0)) {
        r = (r + direction + rows.length) % rows.length;
        k = direction === 1 ? 0 : (rowMatches[r] ?? 0) - 1;
      }
      const entry = rows[r];
      if (!entry) return;
      setCurrent({ seq: entry.seq, k, key: compiled.textKey });
      list.current?.scrollToRow(r);
    },
    [state, pattern, currentRow, cur, compiled.textKey],
  );

  const index = useMemo(() => new Map(machines.map((m, i) => [m.id, i])), [machines]);
  const several = machines.length > 1;
  const rowProps = useCallback(
    (entry: LogEntry): Omit<RowProps, "entry"> => {
      const i = entry.machineId === undefined ? undefined : index.get(entry.machineId);
      return {
        hostname: i === undefined ? undefined : machines[i]?.hostname,
        colour: i === undefined ? undefined : machineColour(i),
        showHost: several,
        showTime,
        localTime,
        wrap,
        pattern,
        current: cur && entry.seq === cur.seq ? cur.k : -1,
      };
    },
    [index, machines, several, showTime, localTime, wrap, pattern, cur],
  );

  const download = (format: DownloadFormat) => {
    const body =
      format === "text"
        ? toText(state.rows, machines, { timestamps: showTime })
        : toJsonLines(state.rows, machines);
    const url = URL.createObjectURL(
      new Blob([body], { type: format === "text" ? "text/plain;charset=utf-8" : "application/x-ndjson" }),
    );
    const a = document.createElement("a");
    a.href = url;
    a.download = downloadName(source, machines, format);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const filtering = state.rows !== stream.entries;
  const emptyText =
    state.lines === 0
      ? stream.paused
        ? "Paused before any line arrived."
        : "Waiting for lines…"
      : "No line matches the filter.";

  return (
    <section
      aria-label="Log viewer"
      className="flex h-[calc(100dvh-13rem)] min-h-96 flex-col overflow-hidden rounded-lg border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-col gap-2 border-b border-zinc-200 p-2 dark:border-zinc-800">
        <div className="flex flex-wrap items-center gap-2">
          {controls}
          <button
            type="button"
            onClick={() => stream.setPaused(!stream.paused)}
            className={`inline-flex h-8 items-center gap-1.5 rounded-md px-3 text-sm font-medium ${
              stream.paused
                ? "bg-amber-500 text-white hover:bg-amber-400"
                : "border border-zinc-300 bg-white hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-950 dark:hover:bg-zinc-800"
            }`}
          >
            {stream.paused ? (
              <Play aria-hidden className="size-4" />
            ) : (
              <Pause aria-hidden className="size-4" />
            )}
            {stream.paused ? "Resume" : "Pause"}
          </button>
          {stream.paused ? (
            <span role="status" data-testid="buffered" className="text-sm text-amber-800 dark:text-amber-300">
              Paused: {n(stream.buffered)} new line{stream.buffered === 1 ? "" : "s"} held
            </span>
          ) : null}
          <FilterInput
            filter={filter}
            onChange={onFilterChange}
            matches={pattern ? { current: ordinal, total: state.totalMatches } : undefined}
            onStep={step}
          />
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
          <LevelFilter filter={filter} counts={state.levelCounts} onChange={onFilterChange} />
          {pattern ? (
            <label className="inline-flex items-center gap-1.5 text-xs">
              <input
                type="checkbox"
                className="size-3 accent-indigo-600"
                checked={filter.showAll}
                onChange={(e) => onFilterChange({ ...filter, showAll: e.target.checked })}
              />
              Show lines that do not match
            </label>
          ) : null}
          <div className="ml-auto flex items-center gap-1">
            <ToggleButton
              pressed={showTime}
              label={`Timestamps (${localTime ? zone : "UTC"})`}
              onClick={() => setShowTime(!showTime)}
            >
              Time
            </ToggleButton>
            {showTime ? (
              <ToggleButton
                pressed={localTime}
                label={`Times in your time zone (${zone}) instead of UTC`}
                onClick={() => setLocalTime(!localTime)}
              >
                <span data-testid="log-time-zone">{localTime ? zone : "UTC"}</span>
              </ToggleButton>
            ) : null}
            <ToggleButton pressed={wrap} label="Wrap long lines" onClick={() => setWrap(!wrap)}>
              Wrap
            </ToggleButton>
            <button
              type="button"
              onClick={stream.clear}
              title="Clear the lines held (the stream goes on)"
              className="inline-flex h-7 items-center gap-1 rounded px-1.5 text-xs font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
            >
              <Eraser aria-hidden className="size-3.5" />
              Clear
            </button>
            <details className="relative">
              <summary className="inline-flex h-7 cursor-pointer list-none items-center gap-1 rounded px-1.5 text-xs font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800">
                <Download aria-hidden className="size-3.5" />
                Download
                <ChevronDown aria-hidden className="size-3" />
              </summary>
              <div className="absolute right-0 z-20 mt-1 w-64 rounded-md border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
                <p className="px-2 py-1 text-xs text-zinc-500 dark:text-zinc-400">
                  The {n(state.rows.length)} rows shown{filtering ? " (filtered)" : ""}
                </p>
                <button
                  type="button"
                  onClick={(e) => {
                    download("text");
                    e.currentTarget.closest("details")?.removeAttribute("open");
                  }}
                  className="block w-full rounded px-2 py-1.5 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
                >
                  Text (.log)
                </button>
                <button
                  type="button"
                  onClick={(e) => {
                    download("jsonl");
                    e.currentTarget.closest("details")?.removeAttribute("open");
                  }}
                  className="block w-full rounded px-2 py-1.5 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
                >
                  JSON lines with machine and time (.jsonl)
                </button>
              </div>
            </details>
          </div>
        </div>
        <LogLegend machines={machines} states={stream.states} />
        {!compiled.ok ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {compiled.error}
          </p>
        ) : null}
        {stream.error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {stream.error}
          </p>
        ) : null}
        {stream.droppedOldest > 0 ? (
          <p data-testid="dropped-note" className="text-xs text-zinc-600 dark:text-zinc-400">
            {n(stream.droppedOldest)} oldest line{stream.droppedOldest === 1 ? "" : "s"} dropped — keeping the
            last {n(cap)}.
          </p>
        ) : null}
      </div>
      <LogList ref={list} rows={state.rows} rowProps={rowProps} wrap={wrap} emptyText={emptyText} />
      <footer className="flex gap-3 border-t border-zinc-200 px-3 py-1 text-xs text-zinc-600 tabular-nums dark:border-zinc-800 dark:text-zinc-400">
        <span data-testid="line-count">
          {filtering ? `${n(state.shownLines)} of ${n(state.lines)} lines shown` : `${n(state.lines)} lines`}
        </span>
      </footer>
    </section>
  );
}
