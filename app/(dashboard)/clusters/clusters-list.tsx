"use client";
// Every cluster in scope with its health, machines, versions, site and labels; filtered by name,
// health and site (kept in the URL), refetched when the fleet changes (fleet-changes.tsx) and every 30
// seconds besides.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import type { Health } from "@/server/model/health-words";
import { EmptyState } from "../../_components/empty-state";
import { ErrorNotice } from "../../_components/error-notice";
import { HEALTH_ORDER, HealthBadge } from "../../_components/health";
import { LabelChips } from "../../_components/labels";
import { clusterHref, machinesHref } from "../../_components/machine-links";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button } from "../../_components/ui";

const PAGE_SIZE = 100;
const input =
  "mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm outline-none focus:border-indigo-500 dark:border-zinc-700 dark:bg-zinc-950";

export function ClustersList() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const params = useSearchParams();
  const q = params.get("q") ?? "";
  const site = params.get("site") ?? "";
  const health = (params.get("health") ?? "").split(",").filter(Boolean) as Health[];
  const sort = (
    ["name", "health", "site"].includes(params.get("sort") ?? "") ? params.get("sort") : "name"
  ) as "name" | "health" | "site";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const [search, setSearch] = useState(q);
  const go = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries({ page: "", ...patch })) v ? next.set(k, v) : next.delete(k);
    const s = next.toString();
    window.history.replaceState(null, "", s ? `${pathname}?${s}` : pathname); // no page round trip
  };
  useEffect(() => {
    if (search === q) return;
    const t = setTimeout(() => go({ q: search.trim() }), 250);
    return () => clearTimeout(t);
  });
  const list = useQuery(
    trpc.clusters.list.queryOptions(
      {
        q: q || undefined,
        site: site || undefined,
        health: health.length ? health : undefined,
        sort,
        page,
        pageSize: PAGE_SIZE,
      },
      { refetchInterval: 30_000, placeholderData: keepPreviousData },
    ),
  );
  const total = list.data?.total ?? 0;
  return (
    <div className="space-y-4">
      <section
        aria-label="Filters"
        className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-4 md:grid-cols-4 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Search
          <input
            className={input}
            type="search"
            placeholder="Cluster name"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Site
          <input
            className={input}
            placeholder="eu/dk"
            defaultValue={site}
            onKeyDown={(e) => e.key === "Enter" && go({ site: e.currentTarget.value.trim() })}
            onBlur={(e) => e.target.value.trim() !== site && go({ site: e.target.value.trim() })}
          />
        </label>
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Health
          <select className={input} value={health[0] ?? ""} onChange={(e) => go({ health: e.target.value })}>
            <option value="">Any</option>
            {HEALTH_ORDER.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Sort by
          <select
            className={input}
            value={sort}
            onChange={(e) => go({ sort: e.target.value === "name" ? "" : e.target.value })}
          >
            <option value="name">Name</option>
            <option value="health">Health</option>
            <option value="site">Site</option>
          </select>
        </label>
      </section>
      <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
        {list.data
          ? `${total.toLocaleString("en-US")} cluster${total === 1 ? "" : "s"}`
          : "Loading clusters…"}
      </p>
      {list.error ? <ErrorNotice title="The clusters could not be loaded" error={list.error} /> : null}
      {list.data && total === 0 ? (
        <EmptyState icon={Boxes} title={q || site || health.length ? "No clusters match" : "No clusters yet"}>
          <p>
            {q || site || health.length
              ? "Nothing in your scope matches these filters."
              : "Each talosconfig context you import becomes a cluster here, with its endpoints, control plane and etcd health, versions, site and labels."}
          </p>
        </EmptyState>
      ) : null}
      {!list.data && !list.error ? (
        <div aria-busy className="h-64 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />
      ) : null}
      {list.data && list.data.rows.length > 0 ? (
        <Table columns={["Cluster", "Health", "Machines", "Versions", "Site", "Labels"]} framed>
          {list.data.rows.map((c) => (
            <tr key={c.id}>
              <td className="px-3 py-2">
                <Link
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                  href={clusterHref(c.name)}
                >
                  {c.name}
                </Link>
              </td>
              <td className="max-w-xs px-3 py-2">
                <HealthBadge health={c.health} />
                {c.healthReason && c.health !== "healthy" ? (
                  <p className="mt-0.5 truncate text-xs text-zinc-500" title={c.healthReason}>
                    {c.healthReason}
                  </p>
                ) : null}
              </td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                <Link className="hover:underline" href={machinesHref({ cluster: c.name })}>
                  {c.counts.healthy}/{c.machines} healthy
                </Link>
                <div className="text-xs text-zinc-500">
                  {c.controlPlanes} control plane{c.controlPlanes === 1 ? "" : "s"}
                </div>
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                {c.talosVersions.join(", ") || "—"}
                <div className="text-zinc-500">
                  {c.kubernetesVersions.length ? `k8s ${c.kubernetesVersions.join(", ")}` : null}
                </div>
              </td>
              <td className="px-3 py-2 font-mono text-xs">{c.site || "—"}</td>
              <td className="max-w-xs px-3 py-2">
                <LabelChips labels={c.labels} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {total > PAGE_SIZE ? (
        <nav aria-label="Pages" className="flex items-center gap-2 text-sm">
          <Button variant="secondary" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>
            Previous
          </Button>
          <span className="tabular-nums">
            Page {page} of {Math.ceil(total / PAGE_SIZE)}
          </span>
          <Button
            variant="secondary"
            disabled={page >= Math.ceil(total / PAGE_SIZE)}
            onClick={() => go({ page: String(page + 1) })}
          >
            Next
          </Button>
        </nav>
      ) : null}
    </div>
  );
}
