"use client";
// Every rollout the reader may see, newest first, refreshed every few seconds. A wave waiting for an
// approval is highlighted. Archived rollouts only with "Show archived"; operators archive finished ones.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Rocket } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { countOf } from "@/server/model/count-words";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { formatAgo } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button, FormError } from "../../_components/ui";
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

/** States a rollout never leaves; only these can be archived (server/features/rollouts/archive-rollout.ts). */
const FINISHED = ["completed", "aborted", "rejected"];

export function RolloutsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const [showArchived, setShowArchived] = useState(false);
  const list = useQuery(trpc.rollouts.list.queryOptions({ showArchived }, { refetchInterval: 3_000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.rollouts.list.pathKey() });
  const archive = useMutation(trpc.rollouts.archive.mutationOptions({ onSuccess: () => void refresh() }));
  const unarchive = useMutation(trpc.rollouts.unarchive.mutationOptions({ onSuccess: () => void refresh() }));
  if (list.error) return <ErrorNotice title="Rollouts could not be loaded" error={list.error} />;
  if (!list.data) return <div aria-busy className="h-48 animate-pulse rounded-lg bg-zinc-200/60" />;
  const toolbar = (
    <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
        Show archived
      </label>
      <div className="min-w-0 flex-1">
        <FormError error={archive.error ?? unarchive.error} />
      </div>
    </div>
  );
  if (list.data.length === 0)
    return (
      <>
        {toolbar}
        <EmptyState icon={Rocket} title={showArchived ? "No rollouts yet" : "No rollouts to show"}>
          <p>
            An upgrade rollout moves machines to a new Talos version in waves — a canary first — and each wave
            waits for an approver's decision. Start one with “New rollout”, or select machines in the machines
            list and hand them over.{showArchived ? "" : " Archived rollouts are shown with “Show archived”."}
          </p>
        </EmptyState>
      </>
    );
  const mayArchive = may("rollouts.run");
  const busy = archive.isPending || unarchive.isPending;
  return (
    <>
      {toolbar}
      <Table
        framed
        columns={["Rollout", "Status", "Target", "Progress", "Created", ...(mayArchive ? [null] : [])]}
      >
        {list.data.map((r) => {
          const current = r.waves.find((w) => w.index === r.currentWave);
          const awaiting =
            current?.status === "pending" && ["pending", "running", "paused"].includes(r.status);
          const p = r.progress;
          return (
            <tr
              key={r.id}
              data-testid={`rollout-${r.id}`}
              className={
                awaiting
                  ? "bg-amber-50/70 dark:bg-amber-500/5"
                  : r.archivedAt
                    ? "text-zinc-500 dark:text-zinc-400"
                    : undefined
              }
            >
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
                {r.archivedAt ? (
                  <p className="mt-1 text-xs text-zinc-500">
                    Archived {formatAgo(r.archivedAt)} by {r.archivedBy}
                  </p>
                ) : null}
              </td>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{r.targetVersion}</td>
              <td className="px-3 py-2">
                <span data-testid="rollout-progress">
                  {p.done.toLocaleString("en-US")} of {countOf(p.total, "machine")} upgraded
                  {p.failed > 0 ? ` · ${p.failed.toLocaleString("en-US")} failed` : ""}
                  {p.skipped > 0 ? ` · ${p.skipped.toLocaleString("en-US")} skipped` : ""}
                </span>
                <span className="block text-xs text-zinc-500">
                  {r.status === "completed" || r.status === "aborted" || r.status === "rejected"
                    ? countOf(r.waves.length, "wave")
                    : `wave ${Math.min(r.currentWave + 1, r.waves.length)} of ${r.waves.length}${current ? ` (${current.name})` : ""}`}
                </span>
              </td>
              <td className="px-3 py-2 text-zinc-600 dark:text-zinc-400">
                {formatAgo(r.createdAt)} by {r.createdBy}
              </td>
              {mayArchive ? (
                <td className="whitespace-nowrap px-3 py-2 text-right">
                  {r.archivedAt ? (
                    <Button
                      variant="secondary"
                      disabled={busy}
                      aria-label={`Unarchive ${r.name}`}
                      onClick={() => unarchive.mutate({ id: r.id })}
                    >
                      Unarchive
                    </Button>
                  ) : FINISHED.includes(r.status) ? (
                    <Button
                      variant="secondary"
                      disabled={busy}
                      aria-label={`Archive ${r.name}`}
                      onClick={() => archive.mutate({ id: r.id })}
                    >
                      Archive
                    </Button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          );
        })}
      </Table>
    </>
  );
}
