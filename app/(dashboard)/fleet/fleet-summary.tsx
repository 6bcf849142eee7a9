"use client";
// The fleet's counts, or the way to get a first cluster in when there is none.
import { useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { useTRPC } from "../../_components/trpc";

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-sm text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value.toLocaleString("en-US")}</dd>
    </div>
  );
}

export function FleetSummary() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.fleet.summary.queryOptions());
  if (summary.error)
    return <ErrorNotice title="The fleet summary could not be loaded" error={summary.error} />;
  if (!summary.data) {
    return <div aria-busy className="h-24 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  }
  const s = summary.data;
  if (s.clusters === 0) {
    return (
      <EmptyState icon={Boxes} title="No clusters yet">
        <p>
          Minos shows the health of every cluster, site and machine here once it knows your fleet. Fleets are
          added from a talosconfig: each context becomes a cluster and its machines are discovered through the
          Talos API.
        </p>
      </EmptyState>
    );
  }
  return (
    <dl className="grid grid-cols-2 gap-4 md:grid-cols-5">
      <Stat label="Clusters" value={s.clusters} />
      <Stat label="Machines" value={s.machines} />
      <Stat label="Control planes" value={s.controlPlanes} />
      <Stat label="Workers" value={s.workers} />
      <Stat label="Sites" value={s.sites} />
    </dl>
  );
}
