"use client";
// The filter controls: text or regex, case, previous/next match with "n of m", levels with how
// many lines each holds, and whether other lines stay in sight.
import { CaseSensitive, ChevronDown, ChevronUp, Regex, Search } from "lucide-react";
import type { ReactNode } from "react";
import type { LogFilter } from "./filter";
import type { LevelCounts } from "./filtered-view";
import { LEVEL_LABELS, LEVELS, type Level } from "./levels";

export function ToggleButton({
  pressed,
  onClick,
  label,
  children,
}: {
  pressed: boolean;
  onClick: () => void;
  label: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      aria-label={label}
      title={label}
      onClick={onClick}
      className={`inline-flex h-7 items-center gap-1 rounded px-1.5 text-xs font-medium ${
        pressed
          ? "bg-indigo-600 text-white"
          : "text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      }`}
    >
      {children}
    </button>
  );
}

export function FilterInput({
  filter,
  onChange,
  matches,
  onStep,
}: {
  filter: LogFilter;
  onChange: (f: LogFilter) => void;
  /** Current match (1-based, 0: none chosen) and total, when there is a pattern. */
  matches: { current: number; total: number } | undefined;
  onStep: (direction: 1 | -1) => void;
}) {
  return (
    <div className="flex min-w-64 flex-1 flex-wrap items-center gap-1">
      <div className="flex min-w-0 flex-1 items-center rounded-md border border-zinc-300 bg-white pr-1 focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950">
        <Search aria-hidden className="ml-2 size-4 shrink-0 text-zinc-400" />
        <input
          type="search"
          aria-label="Filter lines"
          placeholder={filter.regex ? "Regular expression, e.g. E\\d{4}|failed" : "Filter lines"}
          value={filter.query}
          spellCheck={false}
          onChange={(e) => onChange({ ...filter, query: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              onStep(e.shiftKey ? -1 : 1);
            }
          }}
          className="h-8 min-w-0 flex-1 bg-transparent px-2 font-mono text-sm outline-none"
        />
        <ToggleButton
          pressed={filter.regex}
          label="Regular expression"
          onClick={() => onChange({ ...filter, regex: !filter.regex })}
        >
          <Regex aria-hidden className="size-4" />
        </ToggleButton>
        <ToggleButton
          pressed={filter.caseSensitive}
          label="Match case"
          onClick={() => onChange({ ...filter, caseSensitive: !filter.caseSensitive })}
        >
          <CaseSensitive aria-hidden className="size-4" />
        </ToggleButton>
      </div>
      {matches ? (
        <div className="flex items-center gap-0.5">
          <span
            data-testid="match-count"
            className="min-w-20 text-center text-xs text-zinc-600 tabular-nums dark:text-zinc-400"
          >
            {matches.total === 0
              ? "No matches"
              : matches.current > 0
                ? `${matches.current.toLocaleString("en-US")} of ${matches.total.toLocaleString("en-US")}`
                : `${matches.total.toLocaleString("en-US")} match${matches.total === 1 ? "" : "es"}`}
          </span>
          <button
            type="button"
            aria-label="Previous match"
            title="Previous match (Shift+Enter)"
            disabled={matches.total === 0}
            onClick={() => onStep(-1)}
            className="grid size-7 place-items-center rounded hover:bg-zinc-100 disabled:opacity-40 dark:hover:bg-zinc-800"
          >
            <ChevronUp aria-hidden className="size-4" />
          </button>
          <button
            type="button"
            aria-label="Next match"
            title="Next match (Enter)"
            disabled={matches.total === 0}
            onClick={() => onStep(1)}
            className="grid size-7 place-items-center rounded hover:bg-zinc-100 disabled:opacity-40 dark:hover:bg-zinc-800"
          >
            <ChevronDown aria-hidden className="size-4" />
          </button>
        </div>
      ) : null}
    </div>
  );
}

const LEVEL_CHIP: Record<Level, string> = {
  error: "text-red-700 dark:text-red-400",
  warn: "text-amber-700 dark:text-amber-400",
  info: "text-sky-700 dark:text-sky-400",
  debug: "text-zinc-600 dark:text-zinc-400",
  none: "text-zinc-600 dark:text-zinc-400",
};

export function LevelFilter({
  filter,
  counts,
  onChange,
}: {
  filter: LogFilter;
  counts: LevelCounts;
  onChange: (f: LogFilter) => void;
}) {
  const shown = new Set(filter.levels);
  const toggle = (level: Level) => {
    const next = new Set(shown);
    if (next.has(level)) next.delete(level);
    else next.add(level);
    onChange({ ...filter, levels: LEVELS.filter((l) => next.has(l)) });
  };
  return (
    <fieldset className="flex flex-wrap items-center gap-1">
      <legend className="sr-only">Levels shown</legend>
      <span aria-hidden className="mr-0.5 text-xs text-zinc-600 dark:text-zinc-400">
        Levels
      </span>
      {LEVELS.map((level) => (
        <label
          key={level}
          className={`inline-flex cursor-pointer items-center gap-1 rounded border px-1.5 py-0.5 text-xs select-none ${
            shown.has(level)
              ? "border-zinc-300 bg-white dark:border-zinc-700 dark:bg-zinc-900"
              : "border-dashed border-zinc-300 bg-transparent opacity-60 dark:border-zinc-700"
          }`}
        >
          <input
            type="checkbox"
            className="size-3 accent-indigo-600"
            checked={shown.has(level)}
            onChange={() => toggle(level)}
          />
          <span className={`font-medium ${LEVEL_CHIP[level]}`}>{LEVEL_LABELS[level]}</span>
          <span className="text-zinc-500 tabular-nums dark:text-zinc-400">
            {counts[level].toLocaleString("en-US")}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
