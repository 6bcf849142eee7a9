"use client";
// The fleet at a glance: machines by health, what needs attention first, health over time, by
// site and by cluster, and the versions in use. Refetched when the fleet changes (fleet-changes.tsx)
// and every 30 seconds besides; every figure is a link into the filtered machines list.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import type { Health } from "@/server/model/health-words";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { formatAgo } from "../../_components/format";
import { HEALTH_COLOR, HEALTH_ORDER, HealthBadge } from "../../_components/health";
import { clusterHref, machinesHref } from "../../_components/machine-links";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Card } from "../../_components/ui";
import { HistoryChart, SiteChart, VersionChart } from "./fleet-charts";

/** The fallback when the fleet-changes subscription is down; pushed ticks refetch at once. */
const POLL = 30_000;
const ATTENTION = ["unhealthy", "unreachable", "degraded"];

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** What is changing: open rollouts, waves waiting for an approval, machines with drift that counts. */
function ChangeTiles({
  summary: c,
}: {
  summary: { openRollouts: number; wavesAwaitingApproval: number; driftedMachines: number };
}) {
  const tile =
    "rounded-lg border border-zinc-200 bg-white px-3 py-2 text-sm hover:border-indigo-400 dark:border-zinc-800 dark:bg-zinc-900";
  return (
    <section aria-label="Changes" className="flex flex-wrap gap-3">
      <Link href="/rollouts" className={tile}>
        {plural(c.openRollouts, "open rollout", "open rollouts")}
      </Link>
      <Link
        href="/rollouts"
        className={`${tile} ${c.wavesAwaitingApproval > 0 ? "border-amber-400 text-amber-900 dark:text-amber-200" : ""}`}
      >
        {plural(c.wavesAwaitingApproval, "wave waiting for approval", "waves waiting for approval")}
      </Link>
      <Link href="/drift" className={tile}>
        {plural(c.driftedMachines, "machine with drift", "machines with drift")}
      </Link>
    </section>
  );
}

function Toggle<T extends string>({
  value,
  options,
  onChange,
  label,
}: {
  value: T;
  options: [T, string][];
  onChange: (v: T) => void;
  label: string;
}) {
  return (
    <fieldset
      aria-label={label}
      className="inline-flex rounded-md border border-zinc-300 text-xs dark:border-zinc-700"
    >
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          aria-pressed={v === value}
          onClick={() => onChange(v)}
          className={`px-2 py-1 first:rounded-l-md last:rounded-r-md ${v === value ? "bg-indigo-600 text-white" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}
        >
          {text}
        </button>
      ))}
    </fieldset>
  );
}

export function FleetOverview() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.fleet.overview.queryOptions(undefined, { refetchInterval: POLL }));
  const [range, setRange] = useState<"24h" | "7d">("24h");
  const [depth, setDepth] = useState<"1" | "2">("2");
  const history = useQuery(
    trpc.fleet.history.queryOptions(
      { range },
      { refetchInterval: 30_000, placeholderData: keepPreviousData },
    ),
  );
  const changes = useQuery(trpc.rollouts.summary.queryOptions(undefined, { refetchInterval: POLL }));
  if (overview.error)
    return <ErrorNotice title="The fleet overview could not be loaded" error={overview.error} />;
  if (!overview.data) {
    return (
      <div aria-busy className="space-y-4">
        <div className="h-24 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
        <div className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
      </div>
    );
  }
  const o = overview.data;
  if (o.clusters.total === 0 && o.machines.total === 0) {
    return (
      <EmptyState icon={Boxes} title="No clusters yet">
        <p>
          Minos shows the health of every cluster, site and machine here once it knows your fleet. Fleets are
          added from a talosconfig (Import): each context becomes a cluster and its machines are discovered
          through the Talos API.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="space-y-6">
      {changes.data ? <ChangeTiles summary={changes.data} /> : null}
      <section aria-label="Machines by health">
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
          <Link
            href="/machines"
            className="rounded-lg border border-zinc-200 bg-white p-3 hover:border-indigo-400 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <dt className="text-xs text-zinc-600 dark:text-zinc-400">Machines</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums">
              {o.machines.total.toLocaleString("en-US")}
            </dd>
            <dd className="text-xs text-zinc-500">in {o.clusters.total.toLocaleString("en-US")} clusters</dd>
          </Link>
          {HEALTH_ORDER.map((h) => (
            <div
              key={h}
              className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900"
            >
              <Link
                href={machinesHref({ health: h })}
                className="block hover:text-indigo-700 dark:hover:text-indigo-300"
              >
                <dt className="flex items-center gap-1.5 text-xs capitalize text-zinc-600 dark:text-zinc-400">
                  <span aria-hidden className="size-2 rounded-full" style={{ background: HEALTH_COLOR[h] }} />
                  {h}
                </dt>
                <dd className="mt-1 text-2xl font-semibold tabular-nums">
                  {o.machines.counts[h].toLocaleString("en-US")}
                </dd>
              </Link>
              <dd className="text-xs text-zinc-500">
                {/* The clusters in this health, on the clusters list (not the machines list). */}
                <Link
                  href={`/clusters?health=${h}`}
                  className="hover:text-indigo-700 hover:underline dark:hover:text-indigo-300"
                >
                  {o.clusters.counts[h]} {o.clusters.counts[h] === 1 ? "cluster" : "clusters"}
                </Link>
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <Card
        title="Needs attention"
        description={
          o.attention.total === 0
            ? "Nothing: no machine is unhealthy, unreachable or degraded."
            : `${o.attention.total.toLocaleString("en-US")} machines unhealthy, unreachable or degraded, longest first.`
        }
      >
        {o.attention.rows.length > 0 ? (
          <div>
            <Table columns={["Machine", "Cluster", "State", "Why", "Since"]} headerCell="py-1.5 pr-3">
              {o.attention.rows.map((m) => (
                <tr key={m.id}>
                  <td className="py-1.5 pr-3">
                    <Link
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                      href={`/machines/${m.id}`}
                    >
                      {m.hostname}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap py-1.5 pr-3">
                    <Link className="hover:underline" href={clusterHref(m.cluster)}>
                      {m.cluster}
                    </Link>
                  </td>
                  <td className="py-1.5 pr-3">
                    <HealthBadge health={m.health} />
                  </td>
                  <td
                    className="max-w-md truncate py-1.5 pr-3 text-zinc-600 dark:text-zinc-400"
                    title={m.healthReason}
                  >
                    {m.healthReason || "—"}
                  </td>
                  <td className="whitespace-nowrap py-1.5 tabular-nums text-zinc-600 dark:text-zinc-400">
                    {formatAgo(m.healthSince)}
                  </td>
                </tr>
              ))}
            </Table>
            {o.attention.total > o.attention.rows.length ? (
              <Link
                className="mt-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
                href={machinesHref({ health: ATTENTION, sort: "health" })}
              >
                All {o.attention.total.toLocaleString("en-US")} machines needing attention →
              </Link>
            ) : null}
          </div>
        ) : null}
      </Card>

      <section
        aria-label="Health over time"
        className="rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <div className="flex items-center justify-between">
          <h2 className="text-base font-semibold">Health over time</h2>
          <Toggle
            label="Time range"
            value={range}
            onChange={setRange}
            options={[
              ["24h", "24 hours"],
              ["7d", "7 days"],
            ]}
          />
        </div>
        <div className="mt-4 text-zinc-500">
          {history.error ? (
            <ErrorNotice title="The health history could not be loaded" error={history.error} />
          ) : history.data ? (
            <HistoryChart points={history.data.points} range={range} />
          ) : (
            <div aria-busy className="h-[220px] animate-pulse rounded bg-zinc-200/60 dark:bg-zinc-800/60" />
          )}
        </div>
      </section>

      <div className="grid gap-6 lg:grid-cols-2">
        <section
          aria-label="Health by site"
          className="rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900"
        >
          <div className="flex items-center justify-between">
            <h2 className="text-base font-semibold">Machines by site</h2>
            <Toggle
              label="Site level"
              value={depth}
              onChange={setDepth}
              options={[
                ["1", "Region"],
                ["2", "Country"],
              ]}
            />
          </div>
          <div className="mt-4 text-zinc-500">
            <SiteChart
              sites={o.sites.filter((s) => s.depth === Number(depth) || (s.depth === 0 && s.total > 0))}
            />
          </div>
          {o.sitesNeedingAttention.length > 0 ? (
            <>
              <h3 className="mt-4 text-sm font-medium">Sites needing attention</h3>
              <ul className="mt-1 space-y-1 text-sm">
                {o.sitesNeedingAttention.map((s) => (
                  <li key={s.site} className="flex justify-between gap-2">
                    <Link
                      className="truncate font-mono text-xs text-indigo-700 hover:underline dark:text-indigo-300"
                      href={machinesHref({ site: s.site })}
                    >
                      {s.site}
                    </Link>
                    <span className="whitespace-nowrap text-xs text-zinc-500">
                      {(Object.keys(s.counts) as Health[])
                        .filter((h) => h !== "healthy" && s.counts[h] > 0)
                        .map((h) => `${s.counts[h]} ${h}`)
                        .join(", ")}{" "}
                      of {s.total}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>

        <Card
          title="Clusters needing attention"
          description={`${o.clusters.total - o.clusters.counts.healthy} of ${o.clusters.total} clusters are not healthy.`}
        >
          {o.worstClusters.length === 0 ? (
            <p className="text-sm text-zinc-500">Every cluster is healthy.</p>
          ) : (
            <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
              {o.worstClusters.map((c) => (
                <li key={c.name} className="py-1.5">
                  <div className="flex items-center justify-between gap-2">
                    <Link
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                      href={clusterHref(c.name)}
                    >
                      {c.name}
                    </Link>
                    <HealthBadge health={c.health} />
                  </div>
                  <p className="truncate text-xs text-zinc-500" title={c.healthReason}>
                    {c.healthReason || `${c.attention} of ${c.machines} machines need attention`}
                  </p>
                </li>
              ))}
            </ul>
          )}
          <Link
            className="mt-3 inline-block text-sm text-indigo-700 hover:underline dark:text-indigo-300"
            href="/clusters?sort=health"
          >
            All clusters →
          </Link>
        </Card>
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Talos versions" description="Machines per Talos version; click a bar for its machines.">
          <div className="text-zinc-500">
            <VersionChart versions={o.talosVersions} filterKey="version" />
          </div>
        </Card>
        <Card title="Kubernetes versions" description="Machines per Kubernetes version.">
          <div className="text-zinc-500">
            <VersionChart versions={o.kubernetesVersions} filterKey="kubernetes" />
          </div>
        </Card>
      </div>
    </div>
  );
}
