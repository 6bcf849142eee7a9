"use client";
// What draining a wave's nodes would run into, read live from the clusters' Kubernetes APIs: budgets that
// allow no disruption now over pods on the wave's nodes (their drain waits and may time out), pods with no
// controller (a drain deletes them for good), nodes cordoned by someone else. Refreshed every 30 seconds.
import { useQuery } from "@tanstack/react-query";
import { Untrusted } from "@/app/_components/untrusted-text";
import { ErrorNotice } from "../../../_components/error-notice";
import { useTRPC } from "../../../_components/trpc";

const muted = "text-zinc-600 dark:text-zinc-400";

export function DrainRisks({ rolloutId, waveIndex }: { rolloutId: string; waveIndex: number }) {
  const trpc = useTRPC();
  const risks = useQuery(
    trpc.rollouts.disruptionRisks.queryOptions({ id: rolloutId, waveIndex }, { refetchInterval: 30_000 }),
  );
  if (risks.error) return <ErrorNotice title="Kubernetes could not be read" error={risks.error} />;
  const r = risks.data;
  if (!r) return <p className={`text-sm ${muted}`}>Reading the clusters' Kubernetes APIs…</p>;
  const blocking = r.clusters.flatMap((c) => c.blockingBudgets.map((b) => ({ ...b, cluster: c.cluster })));
  const unmanaged = r.clusters.flatMap((c) => c.unmanagedPods.map((p) => ({ ...p, cluster: c.cluster })));
  const cordoned = r.clusters.flatMap((c) => c.cordoned.map((n) => ({ ...n, cluster: c.cluster })));
  const unread = r.clusters.filter((c) => c.error);
  const pods = r.clusters.reduce((n, c) => n + c.workloadPods, 0);
  const clean =
    blocking.length === 0 && unmanaged.length === 0 && cordoned.length === 0 && unread.length === 0;

  return (
    <section aria-label="Drain" className="space-y-2 text-sm">
      <h3 className="text-xs font-medium uppercase tracking-wide text-zinc-500">Drain</h3>
      {!r.drain ? (
        <p className="font-medium text-red-700 dark:text-red-400">
          This rollout reboots nodes without draining them: {pods} workload pod{pods === 1 ? "" : "s"} on this
          wave's nodes will be killed where they stand. The planner's reason: “
          <Untrusted text={r.drainOffReason} />”
        </p>
      ) : (
        <p className={muted}>
          {pods} workload pod{pods === 1 ? "" : "s"} to move off this wave's nodes, through the Eviction API.
        </p>
      )}
      {clean ? <p className={muted}>No disruption budget blocks it and every pod has a controller.</p> : null}
      {blocking.length > 0 ? (
        <div>
          <p className="font-medium text-amber-800 dark:text-amber-300">
            {blocking.length === 1
              ? "1 disruption budget allows no disruption now"
              : `${blocking.length} disruption budgets allow no disruption now`}
            : draining these nodes will wait, and fail at the drain timeout unless the budget frees up.
          </p>
          <ul className="space-y-0.5" aria-label="Blocking disruption budgets">
            {blocking.map((b) => (
              <li key={`${b.cluster}/${b.budget}`}>
                <span className="font-mono text-xs">
                  <Untrusted text={b.budget} />
                </span>{" "}
                <span className={muted}>
                  in {b.cluster}: {b.healthy} of {b.desired} healthy required, covering{" "}
                  <Untrusted text={b.pods.join(", ")} />
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {unmanaged.length > 0 ? (
        <div>
          <p className="font-medium text-amber-800 dark:text-amber-300">
            {unmanaged.length === 1 ? "1 pod has" : `${unmanaged.length} pods have`} no controller: the drain
            deletes {unmanaged.length === 1 ? "it" : "them"} for good.
          </p>
          <ul className="space-y-0.5" aria-label="Pods without a controller">
            {unmanaged.map((p) => (
              <li key={`${p.cluster}/${p.pod}`} className="font-mono text-xs">
                <Untrusted text={p.pod} /> <span className={muted}>on {p.node}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {cordoned.length > 0 ? (
        <p>
          <span className="font-medium">Already cordoned by someone else</span> (Minos leaves these cordons in
          place): {cordoned.map((n) => `${n.node} (${n.cluster})`).join(", ")}
        </p>
      ) : null}
      {unread.map((c) => (
        <p key={c.cluster} className="text-amber-800 dark:text-amber-300">
          {c.cluster}: Kubernetes not read — <Untrusted text={c.error ?? ""} />
        </p>
      ))}
      {r.clustersNotRead > 0 ? (
        <p className={muted}>{r.clustersNotRead} more clusters of this wave were not read.</p>
      ) : null}
    </section>
  );
}
