"use client";
// The drift overview: drifted machines by kind, site and cluster, the top outlier groups (no baseline needed),
// drift appearing and clearing over two weeks, and the drifted machines. Every count opens the machines list
// filtered to the machines it counts. Refreshes every 10 seconds.
import { useQuery } from "@tanstack/react-query";
import { GitCompareArrows } from "lucide-react";
import Link from "next/link";
import { kindOfComponent, remedyOf, rolloutFixesKind } from "@/server/model/drift-remedy";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { formatAgo } from "../../_components/format";
import { machinesHref } from "../../_components/machine-links";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Card } from "../../_components/ui";
import { useMe } from "../../_components/use-me";
import { kindLabel } from "./drift-words";

const link = "font-medium text-indigo-700 hover:underline dark:text-indigo-300";

/** What fixes the differences a rollout does not (kernel arguments, config, labels, Kubernetes). */
function Remedies({ components }: { components: string[] }) {
  const kinds = [...new Set(components.map(kindOfComponent))].filter((k) => !rolloutFixesKind(k));
  if (kinds.length === 0) return null;
  return (
    <ul aria-label="What fixes it" className="mt-1 space-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
      {kinds.map((k) => (
        <li key={k}>
          {kindLabel(k)}: {remedyOf(k)}.
        </li>
      ))}
    </ul>
  );
}

/** A number of the overview, opening the machines it counts. */
function Tile({ label, value, note, href }: { label: string; value: number; note?: string; href: string }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">
        <Link className="hover:underline" href={href} aria-label={`${label}: ${value}, open these machines`}>
          {value.toLocaleString("en-US")}
        </Link>
      </dd>
      {note ? <dd className="text-xs text-zinc-500">{note}</dd> : null}
    </div>
  );
}

/** Drifted machines per key; each row opens the machines list filtered to them (no link: not expressible). */
function Counts({
  rows,
  label = (key) => key,
  href,
}: {
  rows: Array<{ key: string; machines: number }>;
  label?: (key: string) => string;
  href: (key: string) => string | null;
}) {
  if (rows.length === 0) return <p className="text-sm text-zinc-500">None.</p>;
  return (
    <Table columns={["", "Machines"]} headerCell="py-1 pr-3">
      {rows.slice(0, 12).map((r) => {
        const to = href(r.key);
        return (
          <tr key={r.key}>
            <td className="py-1 pr-3">
              {to ? (
                <Link className={link} href={to}>
                  {label(r.key)}
                </Link>
              ) : (
                label(r.key)
              )}
            </td>
            <td className="py-1 pr-3 tabular-nums">
              {to ? (
                <Link
                  className={link}
                  href={to}
                  aria-label={`${r.machines} drifted machine${r.machines === 1 ? "" : "s"}: ${label(r.key)}`}
                >
                  {r.machines.toLocaleString("en-US")}
                </Link>
              ) : (
                r.machines.toLocaleString("en-US")
              )}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

const drifted = (filter: Record<string, string | undefined>) => machinesHref({ drift: "drifted", ...filter });

/** The rollouts form with these machines chosen (its hand-over from drift). */
const rolloutFor = (ids: string[]) => `/rollouts/new?machines=${ids.join(",")}`;

export function DriftOverview() {
  const trpc = useTRPC();
  const { may } = useMe();
  const q = useQuery(trpc.drift.overview.queryOptions(undefined, { refetchInterval: 10_000 }));
  if (q.error) return <ErrorNotice title="The drift overview could not be loaded" error={q.error} />;
  if (!q.data)
    return <div aria-busy className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const o = q.data;
  // A rollout fixes version and schematic drift only (server/model/drift-remedy.ts).
  const upgradable = o.driftedMachines.filter((m) => m.kinds.some(rolloutFixesKind));
  if (o.machines === 0) {
    return (
      <EmptyState icon={GitCompareArrows} title="No machines yet">
        <p>
          Once machines are known, Minos groups them by what they actually run and points out the few that
          differ, with or without a declared baseline.
        </p>
      </EmptyState>
    );
  }
  const maxTrend = Math.max(1, ...o.trend.map((d) => Math.max(d.appeared, d.cleared)));
  return (
    <div className="space-y-6">
      <dl aria-label="Drift in numbers" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Tile label="Machines" value={o.machines} href={machinesHref({})} />
        <Tile label="Drifted" value={o.drifted} note="differ from a baseline" href={drifted({})} />
        <Tile
          label="Unknown only"
          value={o.unknownOnly}
          note="configuration needs an admin credential"
          href={machinesHref({ drift: "unknown" })}
        />
        <Tile
          label="Acknowledged items"
          value={o.acknowledgedItems}
          note="visible, not counted"
          href={machinesHref({ drift: "acknowledged" })}
        />
      </dl>

      <Card
        title="Outliers"
        description="Machines that run something most of their peers (same role, same cluster, site or fleet) do not. No baseline needed."
      >
        {o.outliers.length === 0 ? (
          <p className="text-sm text-zinc-500">No minority groups: peers run the same things.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
            {o.outliers.map((g) => (
              <li
                key={`${g.scope.level}:${g.scope.name}:${g.role}:${g.machineIds.join(",")}`}
                className="py-2"
              >
                <p>
                  <Link className={link} href={machinesHref({ outlier: g.key })}>
                    {g.summary}
                  </Link>
                </p>
                {g.alsoIn.length > 0 ? (
                  <p className="text-xs text-zinc-500">Also stands out in {g.alsoIn.join(", ")}.</p>
                ) : null}
                <p className="mt-1 flex flex-wrap gap-x-3 text-xs">
                  {g.hostnames.map((h, i) => (
                    <Link key={g.machineIds[i]} className={link} href={`/machines/${g.machineIds[i]}/drift`}>
                      {h}
                    </Link>
                  ))}
                  {may("rollouts.run") &&
                  g.differences.some((d) => rolloutFixesKind(kindOfComponent(d.component))) ? (
                    <Link className={`${link} ml-auto`} href={rolloutFor(g.machineIds)}>
                      Create a rollout for these →
                    </Link>
                  ) : null}
                </p>
                <Remedies components={g.differences.map((d) => d.component)} />
              </li>
            ))}
          </ul>
        )}
      </Card>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="By kind" description="Drifted machines per kind of expectation.">
          <Counts rows={o.byKind} label={kindLabel} href={(kind) => drifted({ driftKind: kind })} />
        </Card>
        <Card title="By site" description="Drifted machines per site.">
          {/* exactly this site (the site filter would include the sites under it) */}
          <Counts
            rows={o.bySite}
            href={(site) => (site === "(no site)" ? null : drifted({ selector: `site=${site}` }))}
          />
        </Card>
        <Card title="By cluster" description="Drifted machines per cluster.">
          <Counts rows={o.byCluster} href={(cluster) => drifted({ cluster })} />
        </Card>
      </div>

      <Card title="Trend" description="Drift items appearing and clearing per day, last 14 days.">
        <ol aria-label="Drift per day" className="flex h-28 items-end gap-1">
          {o.trend.map((d) => (
            <li
              key={d.day}
              className="flex h-full flex-1 items-end gap-px"
              title={`${d.day}: ${d.appeared} appeared, ${d.cleared} cleared`}
            >
              <span
                className="w-1/2 rounded-t bg-amber-500"
                style={{ height: `${(d.appeared / maxTrend) * 100}%` }}
              />
              <span
                className="w-1/2 rounded-t bg-emerald-500"
                style={{ height: `${(d.cleared / maxTrend) * 100}%` }}
              />
              <span className="sr-only">{`${d.day}: ${d.appeared} appeared, ${d.cleared} cleared`}</span>
            </li>
          ))}
        </ol>
        <p className="mt-2 text-xs text-zinc-500">
          <span className="mr-1 inline-block size-2 rounded-full bg-amber-500" />
          appeared <span className="ml-3 mr-1 inline-block size-2 rounded-full bg-emerald-500" />
          cleared
        </p>
      </Card>

      <Card
        title="Drifted machines"
        description={
          o.drifted
            ? "Most drift items first. Open one for declared against actual."
            : "No machine differs from a baseline."
        }
      >
        {upgradable.length > 0 && may("rollouts.run") ? (
          <p className="mb-2 text-sm">
            <Link className={link} href={rolloutFor(upgradable.map((m) => m.id))}>
              {upgradable.length === 1
                ? "Create a rollout for the machine with version or schematic drift →"
                : `Create a rollout for the ${upgradable.length} machines with version or schematic drift →`}
            </Link>
          </p>
        ) : null}
        {o.driftedMachines.length > 0 ? (
          <Table columns={["Machine", "Cluster", "Site", "Drift", "Since"]} headerCell="py-1.5 pr-3">
            {o.driftedMachines.map((m) => (
              <tr key={m.id}>
                <td className="py-1.5 pr-3">
                  <Link className={link} href={`/machines/${m.id}/drift`}>
                    {m.hostname}
                  </Link>
                </td>
                <td className="py-1.5 pr-3">{m.cluster}</td>
                <td className="py-1.5 pr-3">{m.site || "—"}</td>
                <td className="py-1.5 pr-3">
                  {m.items} {m.items === 1 ? "item" : "items"}: {m.kinds.map(kindLabel).join(", ")}
                </td>
                <td className="py-1.5 pr-3 text-zinc-500">{formatAgo(m.since)}</td>
              </tr>
            ))}
          </Table>
        ) : null}
      </Card>
    </div>
  );
}
