// logs.sources: for each machine of a log view, the log sources it actually has (LogsContainers,
// plus "kernel" for Dmesg), or why they could not be read, in words.
import { z } from "zod";
import type { Principal } from "../../model/principal";
import { scopesFor } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import type { TalosClient } from "../../talos";
import { sharedClusterClients } from "../credentials/cluster-clients";
import { classifyFailure } from "./stream-errors";
import { visibleMachines } from "./visible-machines";

export const KERNEL_SOURCE = "kernel";

export const logSourcesSchema = z.object({
  machineIds: z.array(z.uuid()).min(1).max(16),
});

export interface MachineLogSources {
  id: string;
  hostname: string;
  cluster: string;
  /** Log ids in the order Talos lists them, then "kernel"; empty when `error` is set. */
  sources: string[];
  /** Why the sources could not be read, in words. */
  error?: string;
}

export async function logSources({
  db,
  principal,
  input,
  clientFor = (cluster) => sharedClusterClients(db).get(cluster, "read"),
}: {
  db: PrismaClient;
  principal: Principal;
  input: z.infer<typeof logSourcesSchema>;
  /** The Talos client of a cluster (default: the cluster's read credential, kept while current). */
  clientFor?: (cluster: string) => Promise<TalosClient>;
}): Promise<MachineLogSources[]> {
  const machines = await visibleMachines({
    db,
    scopes: scopesFor(principal, "machines.stream"),
    ids: [...new Set(input.machineIds)],
  });
  const clients = new Map<string, Promise<TalosClient>>();
  return Promise.all(
    machines.map(async (m) => {
      const base = { id: m.id, hostname: m.hostname, cluster: m.cluster };
      try {
        let c = clients.get(m.cluster);
        if (!c) {
          c = clientFor(m.cluster);
          clients.set(m.cluster, c);
        }
        const ids = await (await c).logsContainers({ node: m.address, timeoutMs: 8_000 });
        return { ...base, sources: [...ids.filter((id) => id !== KERNEL_SOURCE), KERNEL_SOURCE] };
      } catch (err) {
        const stage = (await db.machine.findUnique({ where: { id: m.id }, select: { stage: true } }))?.stage;
        const f = classifyFailure(err, { source: "", stage });
        return { ...base, sources: [], error: f.retry ? `${f.message}; try again in a moment` : f.message };
      }
    }),
  );
}
