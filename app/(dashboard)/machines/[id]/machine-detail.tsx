"use client";
// A machine's overview tab: state, services, versions, labels and site, history (refreshed every 5 s
// by the frame).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Untrusted } from "@/app/_components/untrusted-text";
import { formatAgo, formatTime } from "../../../_components/format";
import { HealthBadge } from "../../../_components/health";
import { LabelChips } from "../../../_components/labels";
import { clusterHref, machinesHref } from "../../../_components/machine-links";
import { PlacementEditor } from "../../../_components/placement-editor";
import { LockCard } from "../../../_components/rollout-lock";
import { StateChanges } from "../../../_components/state-changes";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";
import { MachineFrame, type MachineView } from "./machine-frame";
import { RecentServiceEvents } from "./recent-service-events";

function Facts({ items }: { items: Array<[string, React.ReactNode]> }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-zinc-500">{k}</dt>
          <dd className="min-w-0 break-words">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function MachineDetail({ id }: { id: string }) {
  return (
    <MachineFrame id={id} tab="overview">
      {(m) => <MachineOverview m={m} />}
    </MachineFrame>
  );
}

function MachineOverview({ m }: { m: MachineView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const [editing, setEditing] = useState(false);
  const update = useMutation(
    trpc.machines.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void queryClient.invalidateQueries({ queryKey: trpc.machines.pathKey() });
      },
    }),
  );
  return (
    <>
      {m.removedAt ? (
        <p
          role="status"
          className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-950/40 dark:text-amber-300"
        >
          This machine left its cluster's membership {formatAgo(m.removedAt)}; its history is kept.
        </p>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="State">
          <Facts
            items={[
              [
                "Health",
                <span key="h" className="flex flex-wrap items-center gap-2">
                  <HealthBadge health={m.health} />{" "}
                  <span className="text-zinc-600 dark:text-zinc-400">
                    {m.healthReason || "all checks pass"}
                  </span>
                  {m.rolloutInFlight ? (
                    <Link
                      href={`/rollouts/${m.rolloutInFlight.id}`}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      Open the rollout
                    </Link>
                  ) : null}
                </span>,
              ],
              ["Since", `${formatTime(m.healthSince)} (${formatAgo(m.healthSince)})`],
              // Stage and readiness come from the machine itself: while it cannot be reached they are
              // only what it last reported, and the page says so.
              ["Stage", m.reachable ? m.stage : `${m.stage} (last reported)`],
              ["Ready", `${m.ready ? "yes" : "no"}${m.reachable ? "" : " (last reported)"}`],
              ["Reachable", m.reachable ? "yes" : "no"],
              [
                "Last seen",
                m.lastSeenAt ? `${formatAgo(m.lastSeenAt)} (${formatTime(m.lastSeenAt)})` : "never",
              ],
              ...(m.lastError ? ([["Last error", m.lastError]] as Array<[string, string]>) : []),
            ]}
          />
          {m.unmetConditions.length > 0 ? (
            <>
              <h3 className="mt-4 text-sm font-medium">Unmet conditions</h3>
              <ul className="mt-1 space-y-1 text-sm">
                {m.unmetConditions.map((c) => (
                  <li key={c.name}>
                    <span className="font-mono text-xs">{c.name}</span>:{" "}
                    <span className="text-zinc-600 dark:text-zinc-400">
                      <Untrusted text={c.reason} />
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Card>
        <Card title="Identity and versions">
          <Facts
            items={[
              [
                "Cluster",
                <Link
                  key="c"
                  className="text-indigo-700 hover:underline dark:text-indigo-300"
                  href={clusterHref(m.cluster.name)}
                >
                  {m.cluster.name}
                </Link>,
              ],
              [
                "Address",
                <span key="a" className="font-mono text-xs">
                  {m.address}
                </span>,
              ],
              ["Role", m.role === "controlplane" ? "control plane" : "worker"],
              [
                "Talos",
                m.talosVersion ? (
                  <Link key="t" className="hover:underline" href={machinesHref({ version: m.talosVersion })}>
                    {m.talosVersion}
                  </Link>
                ) : (
                  "—"
                ),
              ],
              ["Kubernetes", m.kubernetesVersion || "—"],
              [
                "Kubernetes node",
                m.kubeReady === null ? (
                  "not seen (Minos reads Nodes with the cluster's os:admin credential)"
                ) : (
                  <span key="k">
                    <span className="font-mono text-xs">{m.kubeNode}</span>{" "}
                    {m.kubeReady ? (
                      <span className="text-emerald-700 dark:text-emerald-400">Ready</span>
                    ) : (
                      <span className="font-medium text-red-700 dark:text-red-400">
                        NotReady{m.kubeReason ? ` (${m.kubeReason})` : ""}
                      </span>
                    )}
                    {m.kubeCordon ? (
                      <span className="block text-xs font-medium text-amber-800 dark:text-amber-300">
                        {m.kubeCordon}
                      </span>
                    ) : (
                      <span className="block text-xs text-zinc-500">schedulable</span>
                    )}
                    {m.kubeletVersion ? (
                      <span className="block text-xs text-zinc-500">kubelet {m.kubeletVersion}</span>
                    ) : null}
                  </span>
                ),
              ],
              [
                "Boot id",
                <span key="b" className="font-mono text-xs">
                  {m.bootId || "—"}
                </span>,
              ],
              ["Known since", formatTime(m.createdAt)],
            ]}
          />
        </Card>
        <Card
          title="Services"
          description="As Talos reports them; a failing health check is shown with its message."
        >
          {m.services.length === 0 ? (
            <p className="text-sm text-zinc-500">No services reported yet.</p>
          ) : (
            <table className="w-full text-left text-sm">
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {m.services.map((s) => (
                  <tr key={s.id}>
                    <td className="py-1 pr-3 font-mono text-xs">{s.id}</td>
                    <td className="py-1 pr-3">{s.state}</td>
                    <td className="py-1">
                      {s.unknown ? (
                        <span className="text-zinc-500">no health check</span>
                      ) : s.healthy ? (
                        <span className="text-emerald-700 dark:text-emerald-300">healthy</span>
                      ) : (
                        <span className="text-red-700 dark:text-red-300">
                          unhealthy{s.message ? `: ${s.message}` : ""}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3 className="mt-4 mb-2 text-xs font-medium uppercase text-zinc-500">Recent service events</h3>
          <RecentServiceEvents machineId={m.id} />
        </Card>
        <Card title="Labels and site">
          {editing ? (
            <PlacementEditor
              labels={m.ownLabels}
              site={m.site ?? ""}
              siteHint={`empty: the cluster's (${m.cluster.site || "none"})`}
              pending={update.isPending}
              error={update.error}
              onDone={() => setEditing(false)}
              onSave={(v) =>
                update.mutate({ id: m.id, labels: v.labels, site: v.site === "" ? null : v.site })
              }
            />
          ) : (
            <>
              <Facts
                items={[
                  [
                    "Site",
                    <span key="s">
                      <Link
                        className="font-mono text-xs hover:underline"
                        href={machinesHref({ site: m.effectiveSite })}
                      >
                        {m.effectiveSite || "—"}
                      </Link>
                      {m.site === null ? (
                        <span className="text-xs text-zinc-500"> (from the cluster)</span>
                      ) : null}
                    </span>,
                  ],
                  ["Own labels", <LabelChips key="o" labels={m.ownLabels} />],
                  ["From the cluster", <LabelChips key="c" labels={m.clusterLabels} />],
                ]}
              />
              {may("machines.operate") ? (
                <Button className="mt-4" variant="secondary" onClick={() => setEditing(true)}>
                  Edit labels and site
                </Button>
              ) : null}
            </>
          )}
        </Card>
      </div>
      {m.removedAt ? null : (
        <div className="mt-4">
          <LockCard
            target={{ kind: "machine", id: m.id }}
            lock={m.locks.machine}
            inherited={m.locks.cluster}
          />
        </div>
      )}
      <div className="mt-4">
        <Card title="State history" description="What changed on this machine, newest first.">
          <StateChanges rows={m.history} />
        </Card>
      </div>
    </>
  );
}
