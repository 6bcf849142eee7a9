"use client";
// One row of the machines list. Memoised: the list re-renders on every filter keystroke, poll and
// "updating…" toggle, and a row only needs to when its machine or its selection changed. Row links
// are not prefetched: a page of 50 rows would send 100 requests for pages rarely opened, competing
// with the list's own next request.
import Link from "next/link";
import { memo } from "react";
import type { MachineRow } from "@/server/features/inventory/list-machines";
import { formatAgo } from "../../_components/format";
import { HealthBadge } from "../../_components/health";
import { LabelChips } from "../../_components/labels";
import { clusterHref } from "../../_components/machine-links";
import { LockBadge } from "../../_components/rollout-lock";

export const MachineTableRow = memo(function MachineTableRow({
  m,
  selectable,
  selected,
  onToggle,
  now,
}: {
  m: MachineRow;
  selectable: boolean;
  selected: boolean;
  /** Stable across renders (memo compares it). */
  onToggle: (id: string) => void;
  /** When the row's data arrived: "last seen" is relative to it. */
  now: number;
}) {
  return (
    <tr className={selected ? "bg-indigo-50/60 dark:bg-indigo-950/30" : ""}>
      {selectable ? (
        <td className="px-3 py-2">
          <input
            type="checkbox"
            aria-label={`Select ${m.hostname}`}
            checked={selected}
            onChange={() => onToggle(m.id)}
          />
        </td>
      ) : null}
      <td className="px-3 py-2">
        <Link
          href={`/machines/${m.id}`}
          prefetch={false}
          className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
        >
          {m.hostname}
        </Link>
        <div className="font-mono text-xs text-zinc-500">
          {m.address} · {m.role === "controlplane" ? "control plane" : "worker"}
        </div>
        {m.lock ? (
          <div className="mt-0.5 max-w-xs">
            <LockBadge lock={m.lock} />
          </div>
        ) : null}
      </td>
      <td className="whitespace-nowrap px-3 py-2">
        <Link href={clusterHref(m.cluster)} prefetch={false} className="hover:underline">
          {m.cluster}
        </Link>
      </td>
      <td
        className="px-3 py-2 font-mono text-xs"
        title={m.siteInherited ? "from the cluster" : "set on the machine"}
      >
        {m.site || "—"}
      </td>
      <td className="px-3 py-2" title={m.healthReason}>
        <HealthBadge health={m.health} title={m.healthReason} />
        {m.health !== "healthy" && m.healthReason ? (
          // Why, for the machines someone has to look at (the whole text is the cell's title).
          <div className="mt-0.5 max-w-56 truncate text-xs text-zinc-500">{m.healthReason}</div>
        ) : null}
        {m.kube?.cordon ? (
          <div
            className="mt-0.5 max-w-56 truncate text-xs font-medium text-amber-800 dark:text-amber-300"
            title={m.kube.cordon}
          >
            {m.kube.cordon}
          </div>
        ) : null}
      </td>
      <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
        {m.talosVersion || "—"}
        <div className="text-zinc-500">{m.kubernetesVersion ? `k8s ${m.kubernetesVersion}` : null}</div>
      </td>
      <td className="max-w-xs px-3 py-2">
        <LabelChips labels={m.labels} />
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-xs tabular-nums text-zinc-600 dark:text-zinc-400">
        {formatAgo(m.lastSeenAt, now)}
      </td>
    </tr>
  );
});
