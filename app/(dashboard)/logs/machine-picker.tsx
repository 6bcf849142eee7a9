"use client";
// Choosing the machines of a merged log view: search by hostname or address, tick up to 16.
import { useQuery } from "@tanstack/react-query";
import { Search, X } from "lucide-react";
import { useEffect, useState } from "react";
import { HealthBadge } from "../../_components/health";
import { MAX_MACHINES } from "../../_components/log-viewer/log-query";
import { useTRPC } from "../../_components/trpc";
import { Button } from "../../_components/ui";

export function MachinePicker({
  initial,
  names,
  onDone,
  onCancel,
}: {
  /** Machines already in the view. */
  initial: readonly string[];
  /** Hostnames known so far (they may arrive after the picker opens). */
  names?: ReadonlyMap<string, string>;
  onDone: (ids: string[]) => void;
  onCancel?: () => void;
}) {
  const trpc = useTRPC();
  const [selected, setSelected] = useState(() => new Map(initial.map((id) => [id, ""])));
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  const list = useQuery(
    trpc.machines.list.queryOptions(
      { q: q || undefined, pageSize: 25, sort: "hostname" },
      { placeholderData: (p) => p },
    ),
  );
  const full = selected.size >= MAX_MACHINES;
  const toggle = (id: string, hostname: string) => {
    const next = new Map(selected);
    if (next.has(id)) next.delete(id);
    else if (!full) next.set(id, hostname);
    setSelected(next);
  };
  return (
    <section
      aria-label="Choose machines"
      className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 className="text-base font-semibold">Choose machines</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Their logs are merged in one view in time order, each line marked with its machine (up to{" "}
        {MAX_MACHINES}).
      </p>
      <div className="mt-3 flex items-center rounded-md border border-zinc-300 focus-within:border-indigo-500 dark:border-zinc-700">
        <Search aria-hidden className="ml-2 size-4 text-zinc-400" />
        <input
          type="search"
          aria-label="Find machines"
          placeholder="Hostname or address"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="h-9 flex-1 bg-transparent px-2 text-sm outline-none"
        />
      </div>
      {selected.size > 0 ? (
        <ul aria-label="Selected machines" className="mt-3 flex flex-wrap gap-1.5">
          {[...selected].map(([id, picked]) => {
            const hostname = names?.get(id) ?? (picked || `machine ${id.slice(0, 8)}`);
            return (
              <li
                key={id}
                className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-2.5 text-sm text-indigo-800 dark:bg-indigo-500/15 dark:text-indigo-200"
              >
                {hostname}
                <button
                  type="button"
                  aria-label={`Remove ${hostname}`}
                  onClick={() => toggle(id, hostname)}
                  className="grid size-5 place-items-center rounded-full hover:bg-indigo-100 dark:hover:bg-indigo-500/25"
                >
                  <X aria-hidden className="size-3.5" />
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      {list.error ? (
        <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
          {list.error.message}
        </p>
      ) : null}
      <ul className="mt-3 max-h-80 divide-y divide-zinc-100 overflow-auto rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {list.data?.rows.map((m) => (
          <li key={m.id}>
            <label className="flex cursor-pointer items-center gap-3 px-3 py-2 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
              <input
                type="checkbox"
                className="size-4 accent-indigo-600"
                checked={selected.has(m.id)}
                disabled={full && !selected.has(m.id)}
                onChange={() => toggle(m.id, m.hostname)}
              />
              <span className="min-w-0 flex-1 truncate font-medium">{m.hostname}</span>
              <span className="hidden truncate text-zinc-500 sm:block dark:text-zinc-400">{m.cluster}</span>
              <HealthBadge health={m.health} />
            </label>
          </li>
        ))}
        {list.data && list.data.rows.length === 0 ? (
          <li className="px-3 py-4 text-sm text-zinc-500">No machine matches “{q}”.</li>
        ) : null}
        {!list.data && !list.error ? (
          <li className="px-3 py-4 text-sm text-zinc-500">Loading machines…</li>
        ) : null}
      </ul>
      {list.data && list.data.total > list.data.rows.length ? (
        <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          Showing {list.data.rows.length} of {list.data.total.toLocaleString("en-US")}; type to narrow down.
        </p>
      ) : null}
      <div className="mt-4 flex flex-wrap items-center gap-2">
        <Button disabled={selected.size === 0} onClick={() => onDone([...selected.keys()])}>
          {selected.size === 0
            ? "Show logs"
            : `Show logs of ${selected.size} machine${selected.size === 1 ? "" : "s"}`}
        </Button>
        {onCancel ? (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        {full ? (
          <span className="text-sm text-zinc-600 dark:text-zinc-400">
            {MAX_MACHINES} machines is the most one view merges.
          </span>
        ) : null}
      </div>
    </section>
  );
}
