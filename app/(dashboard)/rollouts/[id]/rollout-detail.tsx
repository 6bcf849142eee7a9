"use client";
// A rollout, live (polled every 2 seconds): status and controls, what to weigh for the wave waiting
// for a decision and the decision itself, the waves as a timeline with every machine's phase, and the
// approval history.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorNotice } from "../../../_components/error-notice";
import { formatTime } from "../../../_components/format";
import { PageHeader } from "../../../_components/page-header";
import { useTRPC } from "../../../_components/trpc";
import { Button, FormError } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";
import { StatusBadge } from "../rollout-status";
import { Approvals, Decision } from "./decision";
import { RolloutOutcome } from "./rollout-outcome";
import { WaveBriefing } from "./wave-briefing";
import { WaveTimeline } from "./wave-timeline";

export function RolloutDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const rollout = useQuery(trpc.rollouts.byId.queryOptions({ id }, { refetchInterval: 2_000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.rollouts.byId.queryKey({ id }) });
  const control = useMutation(trpc.rollouts.control.mutationOptions({ onSuccess: refresh }));

  if (rollout.error) return <ErrorNotice title="The rollout could not be loaded" error={rollout.error} />;
  const r = rollout.data;
  if (!r) return <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60" />;

  const canRun = may("rollouts.run");
  const active = ["running", "paused", "pending"].includes(r.status);
  const current = r.waves.find((w) => w.index === r.currentWave);
  const awaiting = current?.status === "pending" && active;
  const hidden = r._count.machines - r.machines.length;

  return (
    <>
      <PageHeader
        title={r.name}
        description={`${r.targetVersion} · ${r.installerImage} · ${r.scopeText || "no scope recorded"} · created by ${r.createdBy} ${formatTime(r.createdAt)} · revision ${r.revision}`}
        actions={
          canRun ? (
            <>
              {r.status === "running" ? (
                <Button variant="secondary" onClick={() => control.mutate({ id, control: "pause" })}>
                  Pause
                </Button>
              ) : null}
              {r.status === "paused" ? (
                <Button variant="secondary" onClick={() => control.mutate({ id, control: "resume" })}>
                  Resume
                </Button>
              ) : null}
              {active ? (
                <Button
                  variant="danger"
                  onClick={() => {
                    if (
                      window.confirm(
                        "Abort this rollout? Nothing new starts; machines already rebooting finish, and drains under way stop (those nodes are uncordoned, not rebooted).",
                      )
                    )
                      control.mutate({ id, control: "abort" });
                  }}
                >
                  Abort
                </Button>
              ) : null}
            </>
          ) : null
        }
      />
      <div className="space-y-6">
        <section aria-label="Status" className="flex flex-wrap items-center gap-3 text-sm">
          <StatusBadge status={r.status} />
          {r.statusReason ? <span className="text-zinc-700 dark:text-zinc-300">{r.statusReason}</span> : null}
          {awaiting && current ? (
            <span className="font-medium text-amber-800 dark:text-amber-300">
              {current.name} awaits approval
            </span>
          ) : null}
          {hidden > 0 ? (
            <span className="text-zinc-500">{hidden} machines outside your scope are not shown</span>
          ) : null}
        </section>
        <FormError error={control.error} />
        {awaiting && current ? (
          <div id="decision" className="scroll-mt-4 space-y-4">
            <WaveBriefing rolloutId={id} waveIndex={current.index} />
            <Decision
              rolloutId={id}
              wave={current}
              revision={r.revision}
              author={{ createdBy: r.createdBy, lastChangedBy: r.lastChangedBy }}
              onDecided={refresh}
            />
          </div>
        ) : null}
        <RolloutOutcome rollout={r} canRun={canRun} />
        <WaveTimeline rollout={r} canRun={canRun && active} onChanged={refresh} />
        <Approvals approvals={r.approvals} waves={r.waves} />
        <p className="text-sm">
          <Link href="/rollouts" className="text-indigo-700 hover:underline dark:text-indigo-300">
            ← All rollouts
          </Link>
        </p>
      </div>
    </>
  );
}
