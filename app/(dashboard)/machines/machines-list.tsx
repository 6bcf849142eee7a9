"use client";
// Every machine in scope, filtered and sorted on the server, 50 to a page. The filter lives in
// the URL (a link reproduces the view; the drift overview links drift filters, shown as chips); the
// page refetches when the fleet changes (fleet-changes.tsx) and every 15 seconds for "last seen", which
// the database does not announce; machines can be selected (on this page or every one that matches)
// for bulk edits, merged logs and rollouts.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ArrowDown, ArrowUp, Server } from "lucide-react";
import { usePathname, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { AppError } from "@/server/model/errors";
import { parseSelector } from "@/server/model/selector";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { HEALTH_ORDER } from "../../_components/health";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button } from "../../_components/ui";
import { useMe } from "../../_components/use-me";
import { BulkEdit } from "./bulk-edit";
import { DriftFilterChips } from "./drift-filter-chips";
import { type MachineQuery, readQuery, type Sort, toInput, writeQuery } from "./machine-query";
import { MachineTableRow } from "./machine-table-row";
import { SelectionBar } from "./selection-bar";

const PAGE_SIZE = 50;
const input =
  "block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950";

/** How long after the last key a typed filter applies (the same for every text filter). */
const TYPING_MS = 250;

/**
 * A text filter that applies as one types (a quarter second after the last key; Enter at once), like
 * the search box. With `validate`, a value that is not valid is said at once beside the field and not
 * applied; `onValidity` tells the list, which then shows no rows rather than rows of another filter.
 */
function Text({
  label,
  value,
  onCommit,
  placeholder,
  wide,
  mono,
  validate,
  onValidity,
}: {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  placeholder?: string;
  wide?: boolean;
  mono?: boolean;
  validate?: (v: string) => string | null;
  onValidity?: (valid: boolean) => void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const problem = validate && draft.trim() ? validate(draft.trim()) : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reports only when validity changes
  useEffect(() => onValidity?.(problem === null), [problem === null]);
  useEffect(() => {
    if (problem || draft.trim() === value) return;
    const t = setTimeout(() => onCommit(draft.trim()), TYPING_MS);
    return () => clearTimeout(t);
  });
  return (
    <label
      className={`block text-xs font-medium text-zinc-600 dark:text-zinc-400 ${wide ? "md:col-span-2" : ""}`}
    >
      {label}
      <input
        className={`${input} mt-1 ${mono ? "font-mono" : ""} ${problem ? "border-red-500 focus:border-red-500 focus:ring-red-500/30" : ""}`}
        value={draft}
        placeholder={placeholder}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !problem) onCommit(draft.trim());
        }}
      />
      {problem ? (
        <span role="alert" className="mt-1 block font-normal text-red-700 dark:text-red-400">
          {problem}
        </span>
      ) : null}
    </label>
  );
}

/** The selector's problem in words, as the server would say it, or null when it is valid. */
function selectorProblem(v: string): string | null {
  try {
    parseSelector(v);
    return null;
  } catch (err) {
    return err instanceof AppError ? err.userMessage : String(err);
  }
}

export function MachinesList() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const params = useSearchParams();
  // The filter is this component's state, written to the URL as it changes: a change starts the list
  // query in the same render, not after Next.js has followed the URL in a transition.
  const [query, setQuery] = useState(() => readQuery(new URLSearchParams(params.toString())));
  // The URL changed without us (a link to a filtered list, back and forward): follow it. Read from the
  // location itself, which is always the newest, not from a transition still catching up with it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs whenever Next.js reports a new URL
  useEffect(() => {
    const current = readQuery(new URLSearchParams(window.location.search));
    setQuery((q) => (writeQuery(q) === writeQuery(current) ? q : current));
  }, [params]);
  const { may } = useMe();
  const canEdit = may("machines.operate");
  const canSelect = canEdit || may("machines.stream");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [search, setSearch] = useState(query.q);
  // A selector being typed that is not valid: no rows are shown (they would be another filter's).
  const [selectorValid, setSelectorValid] = useState(true);
  useEffect(() => setSearch(query.q), [query.q]);

  const go = (patch: Partial<MachineQuery>) => setQuery({ ...query, page: 1, ...patch });
  const toggle = useCallback(
    (id: string) =>
      setSelected((prev) => {
        const next = new Set(prev);
        next.has(id) ? next.delete(id) : next.add(id);
        return next;
      }),
    [],
  );
  // Free text filters as one types, a quarter second after the last key.
  useEffect(() => {
    if (search === query.q) return;
    const t = setTimeout(() => go({ q: search.trim() }), TYPING_MS);
    return () => clearTimeout(t);
  });

  const list = useQuery(
    trpc.machines.list.queryOptions(toInput(query, PAGE_SIZE), {
      refetchInterval: 15_000,
      placeholderData: keepPreviousData,
      // Sent at once rather than with the next batch: the user is waiting for this one.
      trpc: { context: { skipBatch: true } },
      retry: (n, err) => err.data?.code !== "BAD_REQUEST" && n < 2,
    }),
  );
  // The filter goes into the browser's own history (no server round trip for the page itself) once the
  // list's answer is painted: Next.js re-renders the route for a new URL, and doing that while the user
  // waits for the answer would take the CPU from it (and from the server, on a small machine).
  const answered = !list.isFetching;
  useEffect(() => {
    if (!answered) return;
    const target = writeQuery(query);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The next animation frame comes before the paint; a timer set there runs after it.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        // Compared as filters, not as text: a link's own order of parameters is kept.
        const shown = writeQuery(readQuery(new URLSearchParams(window.location.search)));
        if (shown !== target) window.history.replaceState(null, "", `${pathname}${target}`);
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [query, pathname, answered]);
  const rows = list.data?.rows ?? [];
  // When the rows on screen arrived ("last seen" is relative to it): rows re-render with each answer,
  // not on every keystroke or "updating…" toggle.
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed exactly when an answer arrives
  const asOf = useMemo(() => Date.now(), [list.data]);
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = writeQuery({ ...query, sort: "hostname", dir: "asc", page: 1 }) !== "";
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));

  const sortHeader = (label: string, sort: Sort) => (
    <th
      key={sort}
      className="whitespace-nowrap px-3 py-2 font-medium"
      aria-sort={query.sort === sort ? (query.dir === "asc" ? "ascending" : "descending") : undefined}
    >
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-zinc-100"
        onClick={() =>
          go({ sort, dir: query.sort === sort && query.dir === "asc" ? "desc" : "asc", page: query.page })
        }
      >
        {label}
        {query.sort === sort ? (
          query.dir === "asc" ? (
            <ArrowUp aria-hidden className="size-3" />
          ) : (
            <ArrowDown aria-hidden className="size-3" />
          )
        ) : null}
      </button>
    </th>
  );

  return (
    <div className="space-y-4">
      <section
        aria-label="Filters"
        className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-4 md:grid-cols-6 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <label className="block text-xs font-medium text-zinc-600 md:col-span-2 dark:text-zinc-400">
          Search
          <input
            className={`${input} mt-1`}
            type="search"
            placeholder="Hostname or address"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <Text
          label="Label selector"
          wide
          mono
          value={query.selector}
          placeholder="role=worker,site in (eu/dk/*),!canary"
          onCommit={(v) => go({ selector: v })}
          validate={selectorProblem}
          onValidity={setSelectorValid}
        />
        <Text label="Site" value={query.site} placeholder="eu/dk" onCommit={(v) => go({ site: v })} />
        <Text label="Cluster" value={query.cluster} onCommit={(v) => go({ cluster: v })} />
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Role
          <select
            className={`${input} mt-1`}
            value={query.role}
            onChange={(e) => go({ role: e.target.value as MachineQuery["role"] })}
          >
            <option value="">Any</option>
            <option value="controlplane">Control plane</option>
            <option value="worker">Worker</option>
          </select>
        </label>
        <Text
          label="Talos version"
          value={query.version}
          placeholder="v1.11.*"
          onCommit={(v) => go({ version: v })}
        />
        <Text
          label="Kubernetes version"
          value={query.kubernetes}
          placeholder="v1.34.*"
          onCommit={(v) => go({ kubernetes: v })}
        />
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Kubernetes node
          <select
            className={`${input} mt-1`}
            value={query.node}
            onChange={(e) => go({ node: e.target.value as MachineQuery["node"] })}
          >
            <option value="">Any</option>
            <option value="not-ready">NotReady</option>
            <option value="cordoned">Cordoned</option>
          </select>
        </label>
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Drift
          <select
            className={`${input} mt-1`}
            value={query.drift}
            onChange={(e) => go({ drift: e.target.value as MachineQuery["drift"] })}
          >
            <option value="">Any</option>
            <option value="drifted">Drifted</option>
            <option value="unknown">Unknown only</option>
            <option value="clean">No drift</option>
            <option value="acknowledged">Acknowledged drift</option>
          </select>
        </label>
        <fieldset className="md:col-span-4">
          <legend className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Health</legend>
          <div className="mt-1.5 flex flex-wrap gap-1.5">
            {HEALTH_ORDER.map((h) => {
              const on = query.health.includes(h);
              return (
                <button
                  key={h}
                  type="button"
                  aria-pressed={on}
                  onClick={() =>
                    go({ health: on ? query.health.filter((x) => x !== h) : [...query.health, h] })
                  }
                  className={`rounded-full px-2.5 py-0.5 text-xs ring-1 ring-inset ${on ? "bg-indigo-600 text-white ring-indigo-600" : "ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800"}`}
                >
                  {h}
                </button>
              );
            })}
          </div>
        </fieldset>
        <div className="flex items-end justify-end md:col-span-2">
          {filtered ? (
            <Button variant="secondary" onClick={() => setQuery(readQuery(new URLSearchParams()))}>
              Clear filters
            </Button>
          ) : null}
        </div>
      </section>

      <DriftFilterChips query={query} outlier={list.data?.outlier} onChange={go} />

      <div className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
        <span role="status" aria-live="polite" data-testid="machine-count">
          {!selectorValid
            ? "The selector is not valid"
            : list.data
              ? `${total.toLocaleString("en-US")} machine${total === 1 ? "" : "s"}${filtered ? " match" : ""}`
              : "Loading machines…"}
        </span>
        {list.isFetching && list.data ? <span className="text-xs text-zinc-400">updating…</span> : null}
        <span className="ml-auto text-xs text-zinc-500">Updates live.</span>
      </div>

      {canSelect && selected.size > 0 ? (
        <SelectionBar
          selected={selected}
          total={total}
          allOnPage={allOnPage}
          query={query}
          onSelect={setSelected}
        />
      ) : null}
      {canEdit && selected.size > 0 ? <BulkEdit ids={[...selected]} /> : null}

      {list.error ? (
        <ErrorNotice
          title={
            list.error.data?.code === "BAD_REQUEST"
              ? "The filter is not valid"
              : "The machines could not be loaded"
          }
          error={list.error}
        />
      ) : null}

      {list.data && total === 0 && !list.error && selectorValid ? (
        <EmptyState icon={Server} title={filtered ? "No machines match" : "No machines yet"}>
          <p>
            {filtered
              ? "Nothing in your scope matches these filters. Loosen them or clear them."
              : "Machines are discovered through each cluster's membership once a fleet is imported."}
          </p>
        </EmptyState>
      ) : null}

      {!list.data && !list.error ? (
        <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
      ) : null}

      {!selectorValid ? (
        <p
          data-testid="selector-invalid"
          className="rounded-lg border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400"
        >
          No machines shown while the label selector is not valid: fix it above.
        </p>
      ) : null}

      {rows.length > 0 && selectorValid ? (
        <Table
          framed
          columns={[
            canSelect ? (
              <th key="select" className="w-8 px-3 py-2">
                <input
                  type="checkbox"
                  aria-label="Select all machines on this page"
                  checked={allOnPage}
                  onChange={() => {
                    const next = new Set(selected);
                    for (const r of rows) allOnPage ? next.delete(r.id) : next.add(r.id);
                    setSelected(next);
                  }}
                />
              </th>
            ) : undefined,
            sortHeader("Machine", "hostname"),
            sortHeader("Cluster", "cluster"),
            sortHeader("Site", "site"),
            sortHeader("Health", "health"),
            sortHeader("Talos", "version"),
            "Labels",
            sortHeader("Last seen", "lastSeen"),
          ]}
        >
          {rows.map((m) => (
            <MachineTableRow
              key={m.id}
              m={m}
              selectable={canSelect}
              selected={selected.has(m.id)}
              onToggle={toggle}
              now={asOf}
            />
          ))}
        </Table>
      ) : null}

      {total > PAGE_SIZE ? (
        <nav aria-label="Pages" className="flex items-center gap-2 text-sm">
          <Button variant="secondary" disabled={query.page <= 1} onClick={() => go({ page: query.page - 1 })}>
            Previous
          </Button>
          <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
            Page {query.page} of {pages}
          </span>
          <Button
            variant="secondary"
            disabled={query.page >= pages}
            onClick={() => go({ page: query.page + 1 })}
          >
            Next
          </Button>
        </nav>
      ) : null}
    </div>
  );
}
