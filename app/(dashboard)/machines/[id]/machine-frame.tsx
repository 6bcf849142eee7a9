"use client";
// What every tab of a machine's page shares: loading, not-found, the header and the tabs as links
// (/machines/<id>, /logs, /events, /drift), so each tab has its own URL.
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { ServerOff } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import type { AppRouter } from "@/server/api/app-router";
import { EmptyState } from "../../../_components/empty-state";
import { ErrorNotice } from "../../../_components/error-notice";
import { HealthBadge } from "../../../_components/health";
import { PageHeader } from "../../../_components/page-header";
import { LockBadge } from "../../../_components/rollout-lock";
import { useTRPC } from "../../../_components/trpc";
import { useMe } from "../../../_components/use-me";

export type MachineView = inferRouterOutputs<AppRouter>["machines"]["byId"];
export type MachineTab = "overview" | "logs" | "events" | "drift";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads the machine (refetched when the fleet changes, and every 15 s for "last seen", which the database
 * does not announce, and the health the clock alone changes) and renders its header and tabs around `children`.
 */
export function MachineFrame({
  id,
  tab,
  children,
}: {
  id: string;
  tab: MachineTab;
  children: (machine: MachineView) => ReactNode;
}) {
  const trpc = useTRPC();
  const machine = useQuery(
    trpc.machines.byId.queryOptions(
      { id },
      {
        enabled: UUID.test(id),
        refetchInterval: 15_000,
        retry: (n, e) => e.data?.code !== "NOT_FOUND" && n < 2,
      },
    ),
  );
  if (!UUID.test(id) || machine.error?.data?.code === "NOT_FOUND") {
    return (
      <EmptyState icon={ServerOff} title="Machine not found">
        <p>
          This machine does not exist or is outside your scope.{" "}
          <Link className="text-indigo-700 underline dark:text-indigo-300" href="/machines">
            All machines
          </Link>
        </p>
      </EmptyState>
    );
  }
  if (machine.error) return <ErrorNotice title="The machine could not be loaded" error={machine.error} />;
  const m = machine.data;
  if (!m)
    return <div aria-busy className="h-96 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/60" />;
  const lock = m.locks.cluster ?? m.locks.machine;
  return (
    <>
      <PageHeader
        title={m.hostname}
        description={`${m.role === "controlplane" ? "Control plane" : "Worker"} of ${m.cluster.name} at ${m.address}`}
        actions={
          <>
            {lock ? <LockBadge lock={lock} /> : null}
            <HealthBadge health={m.health} />
          </>
        }
      />
      <MachineTabs id={m.id} tab={tab} />
      {children(m)}
    </>
  );
}

function MachineTabs({ id, tab }: { id: string; tab: MachineTab }) {
  const { may } = useMe();
  const tabs: Array<{ key: MachineTab; label: string; href: string; hidden?: boolean }> = [
    { key: "overview", label: "Overview", href: `/machines/${id}` },
    { key: "logs", label: "Logs", href: `/machines/${id}/logs`, hidden: !may("machines.stream") },
    { key: "events", label: "Events", href: `/machines/${id}/events` },
    { key: "drift", label: "Drift", href: `/machines/${id}/drift` },
  ];
  return (
    <nav aria-label="Machine views" className="mb-4 flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
      {tabs
        .filter((t) => !t.hidden)
        .map((t) => (
          <Link
            key={t.key}
            href={t.href}
            aria-current={t.key === tab ? "page" : undefined}
            className={
              t.key === tab
                ? "-mb-px border-b-2 border-indigo-600 px-3 py-2 text-sm font-medium"
                : "-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }
          >
            {t.label}
          </Link>
        ))}
    </nav>
  );
}
