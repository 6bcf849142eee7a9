"use client";
// Every rollout the reader may see, newest first, refreshed every few seconds. A wave waiting for an
// approval is highlighted.
import { useQuery } from "@tanstack/react-query";
import { Rocket } from "lucide-react";
import Link from "next/link";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { formatAgo } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { useMe } from "../../_components/use-me";
import { StatusBadge } from "./rollout-status";

export function NewRolloutLink() {
  const { may } = useMe();
  if (!may("rollouts.run")) return null;
  return (
    <Link
      href="/rollouts/new"
      className="inline-flex items-center rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500"
    >
      New rollout
    </Link>
  );
}

export function RolloutsList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.rollouts.list.queryOptions(undefined, { refetchInterval: 3_000 }));
  if (list.error) return <ErrorNotice title="Rollouts could not be loaded" error={list.error} />;
  if (!list.data) return <div aria-busy className="h-48 animate-pulse rounded-lg bg-zinc-200/60" />;
  if (list.data.length === 0)
    return (
      <EmptyState icon={Rocket} title="No rollouts yet">
        <p>
          An upgrade rollout moves machines to a new Talos version in waves — a canary first — and each wave
          waits for an approver's decision. Start one with “New rollout”, or select machines in the machines
          list and hand them over.
        </p>
      </EmptyState>
    );
  return (
    <Table framed columns={["Rollout", "Status", "Target", "Progress", "Created"]}>
      {list.data.map((r) => {
        const current = r.waves.find((w) => w.index === r.currentWave);
        const awaiting = current?.status === "pending" && ["pending", "running", "paused"].includes(r.status);
        const doneWaves = r.waves.filter((w) => w.status === "done").length;
        return (
          <tr key={r.id} className={awaiting ? "bg-amber-50/70 dark:bg-amber-500/5" : undefined}>
            <td className="px-3 py-2">
              <Link
                href={`/rollouts/${r.id}`}
                className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
              >
                {r.name}
              </Link>
            </td>
            <td className="px-3 py-2">
              <div className="flex flex-wrap items-center gap-2">
                <StatusBadge status={r.status} />
                {awaiting && current ? (
                  <span className="text-xs font-medium text-amber-800 dark:text-amber-300">
                    {current.name} awaits approval
                  </span>
                ) : null}
              </div>
              {r.statusReason ? <p className="mt-1 text-xs text-zinc-500">{r.statusReason}</p> : null}
            </td>
            <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{r.targetVersion}</td>
            <td className="px-3 py-2">
              {doneWaves} of {r.waves.length} waves done · {r._count.machines} machines
            </td>
            <td className="px-3 py-2 text-zinc-600 dark:text-zinc-400">
              {formatAgo(r.createdAt)} by {r.createdBy}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
