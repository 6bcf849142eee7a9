"use client";
// A cluster's page, refetched when the fleet changes (fleet-changes.tsx), and every 15 seconds for its
// members' "last seen" and the discovery time (the database does not announce those).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { EmptyState } from "../../../_components/empty-state";
import { ErrorNotice } from "../../../_components/error-notice";
import { formatAgo, formatTime } from "../../../_components/format";
import { HealthBadge } from "../../../_components/health";
import { LabelChips } from "../../../_components/labels";
import { clusterHref, machinesHref } from "../../../_components/machine-links";
import { PageHeader } from "../../../_components/page-header";
import { PlacementEditor } from "../../../_components/placement-editor";
import { LockBadge, LockCard } from "../../../_components/rollout-lock";
import { StateChanges } from "../../../_components/state-changes";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";
import { RemoveClusterCard } from "./remove-cluster-card";

export function ClusterDetail({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const [editing, setEditing] = useState(false);
  const [removed, setRemoved] = useState<{ machines: number } | null>(null);
  const cluster = useQuery(
    trpc.clusters.byName.queryOptions(
      { name },
      { refetchInterval: 15_000, retry: (n, e) => e.data?.code !== "NOT_FOUND" && n < 2 },
    ),
  );
  const update = useMutation(
    trpc.clusters.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
      },
    }),
  );
  if (removed) {
    return (
      <EmptyState icon={Boxes} title={`${name} was removed`}>
        <p>
          The cluster and its {removed.machines} {removed.machines === 1 ? "machine" : "machines"} left the
          inventory; their history stays.{" "}
          <Link className="text-indigo-700 underline dark:text-indigo-300" href="/clusters">
            All clusters
          </Link>
        </p>
      </EmptyState>
    );
  }
  if (cluster.error?.data?.code === "NOT_FOUND") {
    return (
      <EmptyState icon={Boxes} title="Cluster not found">
        <p>
          This cluster does not exist or is outside your scope.{" "}
          <Link className="text-indigo-700 underline dark:text-indigo-300" href="/clusters">
            All clusters
          </Link>
        </p>
      </EmptyState>
    );
  }
  if (cluster.error) return <ErrorNotice title="The cluster could not be loaded" error={cluster.error} />;
  const c = cluster.data;
  if (!c)
    return <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const healthyMachines = c.machines.filter((m) => m.health === "healthy").length;
  return (
    <>
      <PageHeader
        title={c.name}
        description={`${c.machines.length} machines at ${c.site || "no site"} · ${healthyMachines} healthy`}
        actions={
          <>
            {c.lock ? <LockBadge lock={c.lock} /> : null}
            <HealthBadge health={c.health} />
          </>
        }
      />
      {c.health !== "healthy" && c.healthReason ? (
        <p className="mb-4 rounded-md bg-zinc-100 px-3 py-2 text-sm dark:bg-zinc-800/60">{c.healthReason}</p>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-3">
        <Card
          title="Control plane and etcd"
          description={
            c.etcd.members.length
              ? `${c.etcd.healthy} of ${c.etcd.members.length} etcd members healthy; quorum ${c.etcd.quorum ? "holds" : "lost"}.`
              : "No control-plane machine known."
          }
        >
          <ul className="space-y-1 text-sm">
            {c.etcd.members.map((e) => (
              <li key={e.machineId} className="flex justify-between gap-2">
                <Link
                  className="text-indigo-700 hover:underline dark:text-indigo-300"
                  href={`/machines/${e.machineId}`}
                >
                  {e.hostname}
                </Link>
                <span
                  className={
                    e.healthy ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300"
                  }
                >
                  etcd {e.state}
                </span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Versions and endpoints">
          <dl className="space-y-1 text-sm">
            <div>
              <dt className="inline text-zinc-500">Talos: </dt>
              <dd className="inline font-mono text-xs">{c.talosVersions.join(", ") || "—"}</dd>
            </div>
            <div>
              <dt className="inline text-zinc-500">Kubernetes: </dt>
              <dd className="inline font-mono text-xs">{c.kubernetesVersions.join(", ") || "—"}</dd>
            </div>
            <div>
              <dt className="inline text-zinc-500">Endpoints: </dt>
              <dd className="inline font-mono text-xs">{c.endpoints.join(", ") || "—"}</dd>
            </div>
            <div>
              <dt className="inline text-zinc-500">Discovered: </dt>
              <dd className="inline">{c.discoveredAt ? formatAgo(c.discoveredAt) : "not yet"}</dd>
            </div>
            {c.discoveryError ? <p className="text-red-700 dark:text-red-300">{c.discoveryError}</p> : null}
          </dl>
        </Card>
        <Card title="Labels and site">
          {editing ? (
            <PlacementEditor
              labels={c.labels}
              site={c.site}
              siteHint="eu/dk/aarhus-0042"
              pending={update.isPending}
              error={update.error}
              onDone={() => setEditing(false)}
              onSave={(v) => update.mutate({ name: c.name, labels: v.labels, site: v.site })}
            />
          ) : (
            <>
              <p className="font-mono text-xs">{c.site || "no site"}</p>
              <div className="mt-2">
                <LabelChips labels={c.labels} />
              </div>
              {may("machines.operate") ? (
                <Button className="mt-4" variant="secondary" onClick={() => setEditing(true)}>
                  Edit labels and site
                </Button>
              ) : null}
            </>
          )}
        </Card>
      </div>
      <div className="mt-4">
        <LockCard target={{ kind: "cluster", name: c.name }} lock={c.lock} />
      </div>
      <div className="mt-4">
        <Card title="Machines">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-zinc-500">
              <tr>
                <th className="py-1.5 pr-3 font-medium">Machine</th>
                <th className="py-1.5 pr-3 font-medium">Role</th>
                <th className="py-1.5 pr-3 font-medium">Health</th>
                <th className="py-1.5 pr-3 font-medium">Talos</th>
                <th className="py-1.5 font-medium">Last seen</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {c.machines.map((m) => (
                <tr key={m.id}>
                  <td className="py-1.5 pr-3">
                    <Link
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                      href={`/machines/${m.id}`}
                    >
                      {m.hostname}
                    </Link>
                    <span className="ml-2 font-mono text-xs text-zinc-500">{m.address}</span>
                    {m.lock?.on === "machine" ? (
                      <div className="mt-0.5">
                        <LockBadge lock={m.lock} />
                      </div>
                    ) : null}
                  </td>
                  <td className="py-1.5 pr-3">{m.role === "controlplane" ? "control plane" : "worker"}</td>
                  <td className="max-w-xs py-1.5 pr-3">
                    <HealthBadge health={m.health} />
                    {m.health !== "healthy" && m.healthReason ? (
                      <p className="truncate text-xs text-zinc-500" title={m.healthReason}>
                        {m.healthReason}
                      </p>
                    ) : null}
                  </td>
                  <td className="py-1.5 pr-3 font-mono text-xs">{m.talosVersion || "—"}</td>
                  <td
                    className="py-1.5 text-xs text-zinc-600 dark:text-zinc-400"
                    title={formatTime(m.lastSeenAt)}
                  >
                    {formatAgo(m.lastSeenAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Link
            className="mt-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
            href={machinesHref({ cluster: c.name })}
          >
            Open in the machines list →
          </Link>
        </Card>
      </div>
      <div className="mt-4">
        <Card
          title="Events"
          description="Boots, upgrades, service restarts and readiness changes of this cluster's machines, live."
        >
          <Link
            className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
            href={`${clusterHref(c.name)}/events`}
          >
            Open the event timeline →
          </Link>
        </Card>
      </div>
      <div className="mt-4">
        <Card title="Recent changes" description="State changes of this cluster's machines, newest first.">
          <StateChanges rows={c.changes} />
        </Card>
      </div>
      <div className="mt-4">
        <RemoveClusterCard name={c.name} machines={c.machines.length} onRemoved={setRemoved} />
      </div>
    </>
  );
}
