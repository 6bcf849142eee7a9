"use client";
// What a rollout left undone: the machines its plan left out (with why) and, once it has ended, a summary
// (how long, done, failed, skipped, left out) with a follow-up rollout for every machine not upgraded.
import Link from "next/link";
import { formatDuration } from "../../../_components/format";
import { Table } from "../../../_components/table";
import { Card } from "../../../_components/ui";

interface LeftOut {
  machineId: string;
  kind: string;
  reason: string;
  machine: { hostname: string; talosVersion: string; cluster: { name: string } };
}

interface Facts {
  status: string;
  targetVersion: string;
  installerImage: string;
  createdAt: Date;
  finishedAt: Date | null;
  waves: { startedAt: Date | null }[];
  machines: { machineId: string; phase: string }[];
  leftOut: LeftOut[];
  _count: { machines: number; leftOut: number };
}

/** A follow-up takes at most this many machines by id in its address (the form's `?machines=`). */
const FOLLOW_UP_MAX = 200;
const count = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;

export function RolloutOutcome({ rollout: r, canRun }: { rollout: Facts; canRun: boolean }) {
  const ended = ["completed", "aborted", "rejected"].includes(r.status);
  const done = r.machines.filter((m) => m.phase === "done").length;
  const failed = r.machines.filter((m) => m.phase === "failed");
  const skipped = r.machines.filter((m) => m.phase === "skipped");
  const notStarted = r.machines.filter((m) => m.phase === "pending" || m.phase === "pulled");
  const followUp = [
    ...failed.map((m) => m.machineId),
    ...skipped.map((m) => m.machineId),
    ...notStarted.map((m) => m.machineId),
    ...r.leftOut.map((m) => m.machineId),
  ];
  if (!ended && r.leftOut.length === 0) return null;
  const started = r.waves.find((w) => w.startedAt)?.startedAt ?? r.createdAt;
  return (
    <Card
      title={ended ? "Outcome" : "Left out of the plan"}
      description={
        ended
          ? `${r.status === "completed" ? "Completed" : r.status === "aborted" ? "Aborted" : "Rejected"}${r.finishedAt ? ` after ${formatDuration(new Date(r.finishedAt).getTime() - new Date(started).getTime())}` : ""}.`
          : `Machines in this rollout's scope that its plan does not upgrade, and why. They stay on their version until a later rollout takes them.`
      }
    >
      {ended ? (
        <p data-testid="rollout-outcome" className="text-sm">
          {count(done, "machine")} on {r.targetVersion}
          {failed.length ? ` · ${failed.length} failed` : ""}
          {skipped.length ? ` · ${skipped.length} skipped` : ""}
          {notStarted.length ? ` · ${notStarted.length} not started` : ""}
          {r._count.leftOut ? ` · ${r._count.leftOut} left out of the plan` : ""}
        </p>
      ) : null}
      {ended && canRun && followUp.length > 0 ? (
        <p className="mt-2 text-sm">
          {followUp.length <= FOLLOW_UP_MAX ? (
            <Link
              href={`/rollouts/new?machines=${followUp.join(",")}&installer=${encodeURIComponent(r.installerImage)}`}
              className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            >
              Plan a follow-up rollout for the {count(followUp.length, "machine")} not upgraded
            </Link>
          ) : (
            `${count(followUp.length, "machine")} were not upgraded: select them in the machines list (filter on the version) to plan a follow-up.`
          )}{" "}
          <span className="text-zinc-600 dark:text-zinc-400">
            (its preview says which of them are eligible now)
          </span>
        </p>
      ) : null}
      {r.leftOut.length > 0 ? (
        <Table columns={["Machine", "Cluster", "Runs", "Why it was left out"]} className="mt-3">
          {r.leftOut.map((m) => (
            <tr key={m.machineId} aria-label={m.machine.hostname}>
              <td className="px-3 py-2">
                <Link
                  href={`/machines/${m.machineId}`}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {m.machine.hostname}
                </Link>
              </td>
              <td className="px-3 py-2">{m.machine.cluster.name}</td>
              <td className="px-3 py-2 font-mono text-xs">{m.machine.talosVersion}</td>
              <td className="px-3 py-2">{m.reason}</td>
            </tr>
          ))}
        </Table>
      ) : null}
      {r._count.leftOut > r.leftOut.length ? (
        <p className="mt-2 text-xs text-zinc-500">
          {r._count.leftOut - r.leftOut.length} more are outside your scope or beyond the first 1,000.
        </p>
      ) : null}
    </Card>
  );
}
