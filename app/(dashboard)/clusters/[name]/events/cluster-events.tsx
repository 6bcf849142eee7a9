"use client";
// The event timeline of one cluster, live.
import { useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import { Suspense } from "react";
import { EmptyState } from "../../../../_components/empty-state";
import { ErrorNotice } from "../../../../_components/error-notice";
import { clusterHref } from "../../../../_components/machine-links";
import { PageHeader } from "../../../../_components/page-header";
import { useTRPC } from "../../../../_components/trpc";
import { LiveTimeline } from "../../../events/live-timeline";

export function ClusterEvents({ name }: { name: string }) {
  const trpc = useTRPC();
  const cluster = useQuery(
    trpc.clusters.byName.queryOptions({ name }, { retry: (n, e) => e.data?.code !== "NOT_FOUND" && n < 2 }),
  );
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
  if (!cluster.data)
    return <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  return (
    <>
      <PageHeader
        title={`Events of ${cluster.data.name}`}
        description={`Everything the ${cluster.data.machines.length} machines of this cluster reported, newest first, live.`}
        actions={
          <Link
            href={clusterHref(cluster.data.name)}
            className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
          >
            ← Back to the cluster
          </Link>
        }
      />
      <Suspense>
        <LiveTimeline target={{ cluster: cluster.data.name }} showMachine />
      </Suspense>
    </>
  );
}
