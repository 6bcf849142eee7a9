"use client";
// What can be done with the selected machines: select every machine the filter matches (not only
// this page), open their logs merged in one view, clear the selection.
import { useQueryClient } from "@tanstack/react-query";
import { ScrollText } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { MAX_MACHINES } from "../../_components/log-viewer/log-query";
import { useTRPC } from "../../_components/trpc";
import { Button } from "../../_components/ui";
import { useMe } from "../../_components/use-me";
import { type MachineQuery, toInput } from "./machine-query";

/** The most machines handed to a new rollout in its address (beyond that, use a selector). */
const MAX_ROLLOUT_HANDOVER = 200;

export function SelectionBar({
  selected,
  total,
  allOnPage,
  query,
  onSelect,
}: {
  selected: Set<string>;
  total: number;
  allOnPage: boolean;
  query: MachineQuery;
  onSelect: (ids: Set<string>) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const n = selected.size;
  const ids = [...selected];
  const selectAll = async () => {
    setError(null);
    setLoading(true);
    try {
      const { page: _p, pageSize: _s, sort: _o, dir: _d, ...filter } = toInput(query, 1);
      const res = await queryClient.fetchQuery(trpc.machines.matchingIds.queryOptions(filter));
      onSelect(new Set(res.ids));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };
  return (
    <section
      aria-label="Selection"
      className="flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50/50 px-4 py-2 text-sm dark:border-indigo-900 dark:bg-indigo-950/20"
    >
      <span className="font-medium" role="status">
        {n.toLocaleString("en-US")} machine{n === 1 ? "" : "s"} selected
      </span>
      {allOnPage && total > n ? (
        <Button variant="secondary" onClick={selectAll} disabled={loading}>
          {loading ? "Selecting…" : `Select all ${total.toLocaleString("en-US")} that match`}
        </Button>
      ) : null}
      {may("machines.stream") ? (
        n <= MAX_MACHINES ? (
          <Link
            href={`/logs?machines=${ids.join(",")}`}
            className="inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500"
          >
            <ScrollText aria-hidden className="size-4" />
            {n === 1 ? "View logs" : `View logs of ${n} merged`}
          </Link>
        ) : (
          <span className="text-zinc-600 dark:text-zinc-400">
            Logs merge at most {MAX_MACHINES} machines; select fewer to view them together.
          </span>
        )
      ) : null}
      {may("rollouts.run") && n <= MAX_ROLLOUT_HANDOVER ? (
        <Link
          href={`/rollouts/new?machines=${ids.join(",")}`}
          className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900"
        >
          Upgrade in a rollout
        </Link>
      ) : null}
      <Button variant="secondary" className="ml-auto" onClick={() => onSelect(new Set())}>
        Clear selection
      </Button>
      {error ? (
        <p role="alert" className="w-full text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </section>
  );
}
