"use client";
// Picks the clusters of a rollout from the inventory: a search over the clusters in the planner's scope
// (by name or site), each with its site, machine count and health, checked on and off; the chosen ones
// stay listed above the search. Nothing is typed that could name a cluster that does not exist.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { HealthBadge } from "../../../_components/health";
import { useTRPC } from "../../../_components/trpc";

const input =
  "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950";

export function ClusterPicker({
  chosen,
  onChange,
}: {
  chosen: string[];
  onChange: (names: string[]) => void;
}) {
  const trpc = useTRPC();
  const [q, setQ] = useState("");
  const found = useQuery(
    trpc.clusters.list.queryOptions(
      { q: q.trim() || undefined, pageSize: 50 },
      { placeholderData: keepPreviousData },
    ),
  );
  const rows = found.data?.rows ?? [];
  const toggle = (name: string) =>
    onChange(chosen.includes(name) ? chosen.filter((c) => c !== name) : [...chosen, name].sort());
  return (
    <div className="space-y-2">
      <p className="text-sm" data-testid="chosen-clusters">
        {chosen.length === 0 ? "No cluster chosen yet." : `Chosen: ${chosen.join(", ")}`}
      </p>
      <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
        Find clusters
        <input
          className={input}
          type="search"
          placeholder="part of a cluster's name"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </label>
      <ul
        aria-label="Clusters to choose from"
        className="max-h-64 divide-y divide-zinc-100 overflow-y-auto rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
      >
        {rows.map((c) => (
          <li key={c.name}>
            <label className="flex items-center gap-3 px-3 py-1.5 text-sm">
              <input type="checkbox" checked={chosen.includes(c.name)} onChange={() => toggle(c.name)} />
              <span className="font-medium">{c.name}</span>
              <span className="text-xs text-zinc-500">{c.site || "no site"}</span>
              <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400">
                {c.machines} {c.machines === 1 ? "machine" : "machines"}
              </span>
              <HealthBadge health={c.health} />
            </label>
          </li>
        ))}
        {found.data && rows.length === 0 ? (
          <li className="px-3 py-2 text-sm text-zinc-500">No cluster in your scope matches.</li>
        ) : null}
      </ul>
      {found.data && found.data.total > rows.length ? (
        <p className="text-xs text-zinc-500">
          {found.data.total - rows.length} more match: narrow the search to see them.
        </p>
      ) : null}
    </div>
  );
}
