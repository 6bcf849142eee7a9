"use client";
// The waves in order, each with its machines: phase, time in that phase, progress or failure reason
// (with a link to the machine's logs), and retry/skip for those allowed to run rollouts.
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { machineShown, waveShown } from "@/server/model/rollout-states";
import { formatIn, formatTime } from "../../../_components/format";
import { Table } from "../../../_components/table";
import { useTRPC } from "../../../_components/trpc";
import { Button, FormError } from "../../../_components/ui";
import { ShownBadge } from "../rollout-status";

interface RolloutMachine {
  id: string;
  machineId: string;
  waveIndex: number;
  phase: string;
  phaseSince: Date;
  inFlightSince: Date | null;
  finishedAt: Date | null;
  attempt: number;
  fromVersion: string;
  progress: string;
  error: string | null;
  hold: string;
  holdUntil: Date | null;
  machine: { hostname: string; effectiveSite: string; role: string; cluster: { name: string } };
}

interface Wave {
  id: string;
  index: number;
  name: string;
  status: string;
  autoAdvance: boolean;
  startedAt: Date | null;
  bakeStartedAt: Date | null;
  finishedAt: Date | null;
  hold: string;
}

/** The timeline's dot per tone of the wave's state. */
const DOT: Record<string, string> = {
  done: "bg-emerald-500",
  active: "bg-sky-500",
  attention: "bg-amber-500",
  failed: "bg-red-500",
  waiting: "bg-zinc-300 dark:bg-zinc-700",
  stopped: "bg-zinc-300 dark:bg-zinc-700",
};

function elapsed(from: Date | null, to: Date | null): string {
  if (!from) return "—";
  const s = Math.max(0, Math.round(((to ?? new Date()).getTime() - new Date(from).getTime()) / 1000));
  return s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function WaveTimeline({
  rollout,
  canRun,
  onChanged,
}: {
  rollout: {
    id: string;
    status: string;
    statusReason: string;
    currentWave: number;
    waves: Wave[];
    machines: RolloutMachine[];
  };
  canRun: boolean;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const act = useMutation(trpc.rollouts.machine.mutationOptions({ onSuccess: onChanged }));
  return (
    <section aria-label="Waves">
      <h2 className="mb-3 text-base font-semibold">Waves</h2>
      <FormError error={act.error} />
      <ol className="space-y-4 border-l-2 border-zinc-200 pl-5 dark:border-zinc-800">
        {rollout.waves.map((w) => {
          const machines = rollout.machines.filter((m) => m.waveIndex === w.index);
          const done = machines.filter((m) => m.phase === "done").length;
          const failed = machines.filter((m) => m.phase === "failed").length;
          const shown = waveShown(
            rollout,
            w,
            rollout.waves.find((x) => x.index === w.index - 1),
          );
          return (
            <li key={w.id} aria-label={w.name} className="relative">
              <span
                aria-hidden
                className={`absolute -left-[27px] top-1.5 size-3 rounded-full ${DOT[shown.tone]}`}
              />
              <div className="rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
                <header className="flex flex-wrap items-center gap-3 border-b border-zinc-100 px-4 py-2.5 dark:border-zinc-800">
                  <h3 className="font-semibold">{w.name}</h3>
                  <ShownBadge shown={shown} />
                  <span className="text-sm text-zinc-600 dark:text-zinc-400">
                    {done} of {machines.length} done{failed ? `, ${failed} failed` : ""}
                    {w.startedAt ? ` · started ${formatTime(w.startedAt)}` : ""}
                    {w.status === "baking" && w.bakeStartedAt
                      ? ` · baking since ${formatTime(w.bakeStartedAt)}`
                      : ""}
                    {w.finishedAt ? ` · finished ${formatTime(w.finishedAt)}` : ""}
                    {w.autoAdvance ? " · advances automatically" : ""}
                  </span>
                  {shown.detail ? (
                    <span
                      data-testid="wave-detail"
                      className="w-full text-sm text-zinc-700 dark:text-zinc-300"
                    >
                      {shown.detail}
                    </span>
                  ) : null}
                </header>
                <Table columns={["Machine", "Cluster", "Phase", "Elapsed", "Progress", null]}>
                  {machines.map((m) => {
                    const ms = machineShown(rollout, w, m);
                    return (
                      <tr key={m.id} aria-label={m.machine.hostname}>
                        <td className="px-3 py-2">
                          <Link
                            href={`/machines/${m.machineId}`}
                            className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                          >
                            {m.machine.hostname}
                          </Link>
                          <span className="ml-2 text-xs text-zinc-500">{m.machine.role}</span>
                        </td>
                        <td className="px-3 py-2">
                          {m.machine.cluster.name}
                          <span className="ml-2 text-xs text-zinc-500">{m.machine.effectiveSite}</span>
                        </td>
                        <td className="px-3 py-2">
                          <ShownBadge shown={ms} />
                          {m.attempt > 1 ? (
                            <span className="ml-1 text-xs text-zinc-500">attempt {m.attempt}</span>
                          ) : null}
                        </td>
                        <td className="px-3 py-2 tabular-nums">
                          {m.inFlightSince ? elapsed(m.inFlightSince, m.finishedAt) : "—"}
                        </td>
                        <td className="max-w-md px-3 py-2">
                          {m.phase === "failed" && m.error ? (
                            <span className="text-red-700 dark:text-red-400">
                              {m.error}{" "}
                              <Link href={`/machines/${m.machineId}/logs`} className="underline">
                                logs
                              </Link>
                            </span>
                          ) : (m.phase === "pending" || m.phase === "pulled" || m.phase === "skipped") &&
                            ms.detail ? (
                            <span data-testid="machine-detail" className="text-zinc-700 dark:text-zinc-300">
                              {ms.detail}
                              {ms.until ? ` (${formatIn(ms.until)})` : ""}
                            </span>
                          ) : (
                            <span className="text-zinc-700 dark:text-zinc-300">
                              {m.progress || (m.fromVersion ? `from ${m.fromVersion}` : "")}
                            </span>
                          )}
                        </td>
                        <td className="px-3 py-2 text-right">
                          {canRun && m.phase === "failed" ? (
                            <Button
                              variant="secondary"
                              onClick={() =>
                                act.mutate({ id: rollout.id, machineId: m.machineId, control: "retry" })
                              }
                            >
                              Retry
                            </Button>
                          ) : null}
                          {canRun && ["pending", "pulled", "failed"].includes(m.phase) ? (
                            <Button
                              variant="secondary"
                              className="ml-2"
                              onClick={() =>
                                act.mutate({ id: rollout.id, machineId: m.machineId, control: "skip" })
                              }
                            >
                              Skip
                            </Button>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </Table>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
