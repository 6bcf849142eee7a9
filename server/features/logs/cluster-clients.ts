// Talos clients for log streams: the cluster's read credential, kept per database while it stays current (ClusterClients).

import type { PrismaClient } from "../../platform/db/client";
import type { TalosClient } from "../../talos";
import { ClusterClients } from "../credentials/cluster-clients";

const byDb = new WeakMap<PrismaClient, ClusterClients>();

export function clusterClient(db: PrismaClient, cluster: string): Promise<TalosClient> {
  let clients = byDb.get(db);
  if (!clients) {
    clients = new ClusterClients(db);
    byDb.set(db, clients);
  }
  return clients.get(cluster, "read");
}
