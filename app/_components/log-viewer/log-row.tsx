"use client";
import { AlertTriangle, Info } from "lucide-react";
import { memo } from "react";
import type { LogEntry } from "../../../server/model/log-lines";
import { toRuns } from "./ansi";
import { findMatches, highlightRuns } from "./filter";
import { lineInfo } from "./filtered-view";
import type { Level } from "./levels";
import type { MachineColour } from "./machine-colours";
// One row of the log view: a line (machine, time, level, text with colours and highlighted
// matches) or a marker (a gap or a stream's status change). Text is rendered as React text nodes
// only: nothing from a node becomes markup or a link.
import type { TextPattern } from "./text-pattern";

/** Characters of one line that are shown; the rest is in the download. */
export const MAX_SHOWN_CHARS = 10_000;

const LEVEL_TAG: Record<Level, { text: string; className: string; row: string }> = {
  error: { text: "ERR", className: "text-red-700 dark:text-red-400", row: "bg-red-50 dark:bg-red-950/40" },
  warn: {
    text: "WRN",
    className: "text-amber-700 dark:text-amber-400",
    row: "bg-amber-50 dark:bg-amber-950/25",
  },
  info: { text: "INF", className: "text-sky-700 dark:text-sky-400", row: "" },
  debug: { text: "DBG", className: "text-zinc-500 dark:text-zinc-500", row: "" },
  none: { text: "", className: "", row: "" },
};

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** `11-25` and `10:11:12.345`, in UTC or in the browser's own time zone. */
function shortStamp(ms: number, local: boolean): [string, string] {
  const d = new Date(ms);
  if (local) {
    return [
      `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`,
    ];
  }
  return [
    `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`,
  ];
}

export interface RowProps {
  entry: LogEntry;
  hostname: string | undefined;
  colour: MachineColour | undefined;
  showHost: boolean;
  showTime: boolean;
  /** Times in the browser's time zone instead of UTC. */
  localTime: boolean;
  wrap: boolean;
  pattern: TextPattern | undefined;
  /** Index of the current match within this row, or -1. */
  current: number;
}

export const LogRow = memo(function LogRow(props: RowProps) {
  return props.entry.type === "marker" ? <MarkerRow {...props} /> : <LineRow {...props} />;
});

function Prefix({ entry, hostname, colour, showHost, showTime, localTime }: RowProps) {
  const [day, time] = shortStamp(entry.time, localTime);
  return (
    <>
      <span
        aria-hidden
        className={`w-1 shrink-0 self-stretch ${colour?.bar ?? "bg-zinc-300 dark:bg-zinc-700"}`}
      />
      {showHost ? (
        <span
          className={`sticky left-0 w-24 shrink-0 truncate bg-inherit pl-2 font-medium sm:w-36 ${colour?.text ?? ""}`}
          title={hostname}
        >
          {hostname ?? "all machines"}
        </span>
      ) : null}
      {showTime ? (
        <time
          dateTime={new Date(entry.time).toISOString()}
          title={`${new Date(entry.time).toISOString()} (UTC)`}
          className="w-24 shrink-0 pl-2 text-zinc-500 tabular-nums sm:w-36 dark:text-zinc-400"
        >
          <span className="hidden sm:inline">{day} </span>
          {time}
        </time>
      ) : null}
    </>
  );
}

function LineRow(props: RowProps) {
  const { entry, wrap, pattern, current } = props;
  if (entry.type !== "line") return null;
  const { level, plain } = lineInfo(entry);
  const tag = LEVEL_TAG[level];
  const runs = toRuns(entry.text, MAX_SHOWN_CHARS);
  const ranges = pattern
    ? findMatches(plain.length > MAX_SHOWN_CHARS ? plain.slice(0, MAX_SHOWN_CHARS) : plain, pattern)
    : [];
  const pieces = highlightRuns(runs, ranges);
  const hidden = plain.length - MAX_SHOWN_CHARS;
  return (
    <div
      data-testid="log-line"
      data-machine={props.hostname}
      data-level={level}
      className={`flex min-w-full font-mono text-xs leading-5 ${wrap ? "" : "w-max"} ${tag.row || "bg-white dark:bg-zinc-950"}`}
    >
      <Prefix {...props} />
      <span className={`w-9 shrink-0 pl-2 font-semibold ${tag.className}`}>{tag.text}</span>
      <span
        className={`min-w-0 flex-1 pr-4 pl-2 ${wrap ? "break-all whitespace-pre-wrap" : "whitespace-pre"}`}
      >
        {pieces.map((p, i) => {
          const style =
            p.run.color || p.run.background
              ? { color: p.run.color, backgroundColor: p.run.background }
              : undefined;
          if (p.match < 0) {
            return p.run.className || style ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: pieces of one line never reorder
              <span key={i} className={p.run.className} style={style}>
                {p.text}
              </span>
            ) : (
              p.text
            );
          }
          const isCurrent = p.match === current;
          return (
            <mark
              // biome-ignore lint/suspicious/noArrayIndexKey: pieces of one line never reorder
              key={i}
              data-current-match={isCurrent ? "" : undefined}
              className={`rounded-sm text-inherit ${isCurrent ? "bg-orange-400 ring-1 ring-orange-600 dark:bg-orange-500" : "bg-yellow-200 dark:bg-yellow-700/70"} ${p.run.className}`}
              style={style}
            >
              {p.text}
            </mark>
          );
        })}
        {hidden > 0 ? (
          <span className="ml-2 rounded bg-zinc-200 px-1 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
            … {hidden.toLocaleString("en-US")} more characters (Download holds the whole line)
          </span>
        ) : null}
      </span>
    </div>
  );
}

function MarkerRow(props: RowProps) {
  const { entry } = props;
  if (entry.type !== "marker") return null;
  const gap = entry.kind === "gap";
  const Icon = gap ? AlertTriangle : Info;
  return (
    <div
      data-testid="log-marker"
      data-kind={entry.kind}
      className={`flex min-w-full font-sans text-xs leading-5 ${gap ? "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200" : "bg-zinc-100 text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400"}`}
    >
      <Prefix {...props} />
      <span className={`flex min-w-0 flex-1 items-center gap-1.5 pl-2 ${gap ? "font-medium" : "italic"}`}>
        <Icon aria-hidden className="size-3.5 shrink-0" />
        {gap ? <span className="font-semibold uppercase">Gap</span> : null}
        <span className="truncate">{entry.text}</span>
      </span>
    </div>
  );
}
