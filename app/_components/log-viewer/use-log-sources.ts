"use client";
// The log sources each machine of a log view has (logs.sources): its Talos log ids plus "kernel",
// or why they could not be read.
import { useQuery } from "@tanstack/react-query";
import type { MachineLogSources } from "@/server/features/logs/log-sources";
import { useTRPC } from "../trpc";

export interface LogSources {
  /** One per machine asked for, in that order; undefined while loading. */
  machines: MachineLogSources[] | undefined;
  /** Every source any of the machines has: the first machine's order, then others' extras, "kernel" last. */
  sources: string[];
  loading: boolean;
  /** Why the lookup failed as a whole (e.g. a machine outside your scope), in words. */
  error: string | undefined;
}

export function useLogSources(machineIds: readonly string[]): LogSources {
  const trpc = useTRPC();
  const q = useQuery(
    trpc.logs.sources.queryOptions(
      { machineIds: [...machineIds] },
      { enabled: machineIds.length > 0, staleTime: 30_000 },
    ),
  );
  const sources: string[] = [];
  for (const m of q.data ?? [])
    for (const s of m.sources) if (s !== "kernel" && !sources.includes(s)) sources.push(s);
  if (q.data?.some((m) => m.sources.includes("kernel"))) sources.push("kernel");
  return {
    machines: q.data,
    sources,
    loading: q.isPending && machineIds.length > 0,
    error: q.error?.message,
  };
}
