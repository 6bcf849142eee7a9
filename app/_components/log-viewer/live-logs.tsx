"use client";
// A live log view of one or more machines, driven by the URL (source, tail, follow, filter): the
// source picker offers what the machines actually have, the stream is useLogStream's, the rest is
// the LogViewer. Used by the machine's Logs tab and by the merged /logs page.
import { usePathname, useSearchParams } from "next/navigation";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { LogMachine } from "../../../server/model/log-lines";
import type { LogFilter } from "./filter";
import { defaultSource, type LogQuery, logQueryString, parseLogQuery, TAIL_CHOICES } from "./log-query";
import { LogViewer } from "./log-viewer";
import { useLogSources } from "./use-log-sources";
import { useLogStream } from "./use-log-stream";

const selectStyle =
  "h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm dark:border-zinc-700 dark:bg-zinc-950";

/** Replaces the query string without a navigation (Next.js keeps useSearchParams in step). */
function writeUrl(
  pathname: string,
  query: Omit<LogQuery, "invalidMachines">,
  withMachines: boolean,
  push: boolean,
) {
  const qs = logQueryString(query, withMachines);
  const url = qs ? `${pathname}?${qs}` : pathname;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

export function LiveLogs({
  machineIds,
  withMachinesInUrl,
  actions,
}: {
  machineIds: readonly string[];
  /** The merged page keeps the machines in the URL; a machine's tab has them in its path. */
  withMachinesInUrl: boolean;
  /** More controls for the toolbar (e.g. changing the machines). */
  actions?: ReactNode;
}) {
  const pathname = usePathname();
  const params = useSearchParams();
  const query = useMemo(() => parseLogQuery(new URLSearchParams(params.toString())), [params]);
  const sources = useLogSources(machineIds);

  // Sources every machine whose sources could be read has; others are offered with their count.
  const readable = (sources.machines ?? []).filter((m) => !m.error);
  const offered = sources.sources.map((s) => {
    const on = readable.filter((m) => m.sources.includes(s)).length;
    return { source: s, on, all: on === readable.length };
  });
  const shared = offered.filter((o) => o.all).map((o) => o.source);
  const source =
    query.source ?? (sources.machines ? defaultSource(shared.length ? shared : sources.sources) : undefined);

  const update = useCallback(
    (change: Partial<LogQuery>, push = true) =>
      writeUrl(pathname, { ...query, ...change }, withMachinesInUrl, push),
    [pathname, query, withMachinesInUrl],
  );

  // The URL names the source it shows, once one is chosen.
  useEffect(() => {
    if (!query.source && source) update({ source }, false);
  }, [query.source, source, update]);

  // The filter changes with every key: the URL follows shortly after.
  const [filter, setFilter] = useState<LogFilter>(query.filter);
  const lastWritten = useRef(query.filter);
  useEffect(() => {
    if (filter === lastWritten.current) return;
    const t = setTimeout(() => {
      lastWritten.current = filter;
      update({ filter }, false);
    }, 300);
    return () => clearTimeout(t);
  }, [filter, update]);
  // Back/forward or a link to another filter: take the URL's.
  const urlFilterKey = JSON.stringify(query.filter);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the URL's filter, compared by value
  useEffect(() => {
    if (JSON.stringify(lastWritten.current) === urlFilterKey) return;
    lastWritten.current = query.filter;
    setFilter(query.filter);
  }, [urlFilterKey]);

  const stream = useLogStream({ machineIds, source, tailLines: query.tail, follow: query.follow });

  const names = new Map((sources.machines ?? []).map((m) => [m.id, m.hostname]));
  const machines: LogMachine[] = machineIds.map((id) => ({ id, hostname: names.get(id) ?? "…" }));
  const unreadable = (sources.machines ?? []).filter((m) => m.error);

  const controls = (
    <>
      <label className="inline-flex items-center gap-1.5 text-sm">
        <span className="sr-only sm:not-sr-only">Source</span>
        <select
          aria-label="Log source"
          className={selectStyle}
          value={source ?? ""}
          disabled={!source}
          onChange={(e) => update({ source: e.target.value })}
        >
          {!source ? <option value="">{sources.loading ? "Loading sources…" : "No source"}</option> : null}
          {source && !sources.sources.includes(source) ? (
            <option value={source}>
              {source}
              {sources.machines ? " (not on these machines)" : ""}
            </option>
          ) : null}
          {offered.map((o) => (
            <option key={o.source} value={o.source}>
              {o.source}
              {o.all || readable.length < 2 ? "" : ` (${o.on} of ${readable.length} machines)`}
            </option>
          ))}
        </select>
      </label>
      <select
        aria-label="Lines before following"
        className={selectStyle}
        value={query.tail}
        onChange={(e) => update({ tail: Number(e.target.value) })}
      >
        {[...new Set([...TAIL_CHOICES, query.tail])]
          .sort((a, b) => a - b)
          .map((t) => (
            <option key={t} value={t}>
              Last {t.toLocaleString("en-US")} lines
            </option>
          ))}
      </select>
      <label className="inline-flex items-center gap-1.5 text-sm">
        <input
          type="checkbox"
          className="size-4 accent-indigo-600"
          checked={query.follow}
          onChange={(e) => update({ follow: e.target.checked })}
        />
        Follow
      </label>
      {actions}
    </>
  );

  return (
    <div className="space-y-2">
      {sources.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {sources.error}
        </p>
      ) : null}
      {unreadable.map((m) => (
        <p key={m.id} className="text-sm text-amber-800 dark:text-amber-300">
          Sources of {m.hostname} could not be read: {m.error}
        </p>
      ))}
      {!query.follow ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Not following: the view holds the last {query.tail.toLocaleString("en-US")} lines of each machine as
          they were when it opened.
        </p>
      ) : null}
      <LogViewer
        machines={machines}
        stream={stream}
        source={source ?? "logs"}
        filter={filter}
        onFilterChange={setFilter}
        controls={controls}
      />
    </div>
  );
}
