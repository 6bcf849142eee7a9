"use client";
// Waves waiting for a decision this approver may take, on the fleet overview: rollout, wave, who
// created it and since when it waits, each linking to its decision. Shown only to approvers (within
// their scope), and only when something waits.
import { useQuery } from "@tanstack/react-query";
import { Stamp } from "lucide-react";
import Link from "next/link";
import { formatAgo, formatTime } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { useMe } from "../../_components/use-me";

export function PendingApprovals() {
  const trpc = useTRPC();
  const { may } = useMe();
  const approver = may("rollouts.approve");
  const pending = useQuery(
    trpc.rollouts.pendingApprovals.queryOptions(undefined, { enabled: approver, refetchInterval: 15_000 }),
  );
  if (!approver || !pending.data?.length) return null;
  return (
    <section
      aria-label="Waiting for your approval"
      className="mb-6 rounded-lg border border-amber-300 bg-amber-50/60 p-4 dark:border-amber-500/30 dark:bg-amber-500/5"
    >
      <h2 className="flex items-center gap-2 text-base font-semibold">
        <Stamp aria-hidden className="size-4 text-amber-700 dark:text-amber-300" />
        Waiting for your approval
        <span className="rounded-full bg-amber-200/70 px-2 text-xs tabular-nums dark:bg-amber-500/20">
          {pending.data.length}
        </span>
      </h2>
      <Table columns={["Rollout", "Wave", "Created by", "Waiting since", null]} className="mt-2">
        {pending.data.map((p) => (
          <tr key={`${p.rolloutId}-${p.waveIndex}`}>
            <td className="px-3 py-2">
              <Link
                href={`/rollouts/${p.rolloutId}#decision`}
                className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
              >
                {p.rollout}
              </Link>
              <span className="ml-2 font-mono text-xs text-zinc-500">{p.targetVersion}</span>
            </td>
            <td className="px-3 py-2">
              {p.wave}{" "}
              <span className="text-zinc-500">
                ({p.machines} machine{p.machines === 1 ? "" : "s"})
              </span>
            </td>
            <td className="px-3 py-2">{p.createdBy}</td>
            <td className="px-3 py-2">
              {formatTime(p.waitingSince)}{" "}
              <span className="text-zinc-500">({formatAgo(p.waitingSince)})</span>
            </td>
            <td className="px-3 py-2 text-right">
              <Link
                href={`/rollouts/${p.rolloutId}#decision`}
                aria-label={`Decide on ${p.wave.toLowerCase()} of ${p.rollout}`}
                className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300"
              >
                Decide →
              </Link>
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
