// Talos clients for log streams, one per cluster, opened with the cluster's read credential and kept
// for a minute: a hundred viewers opening streams at once do not each choose and unseal a credential.
// Channels are shared by the process-wide pool either way.
import { credentialFor } from "../credentials/credential-for";
import type { PrismaClient } from "../db/client";
import { TalosClient } from "../talos";

const KEEP_MS = 60_000;
const cache = new Map<string, { client: Promise<TalosClient>; until: number }>();

export function clusterClient(db: PrismaClient, cluster: string): Promise<TalosClient> {
  const now = Date.now();
  const hit = cache.get(cluster);
  if (hit && hit.until > now) return hit.client;
  const client = credentialFor(db, cluster, "read").then((context) => new TalosClient(context));
  cache.set(cluster, { client, until: now + KEEP_MS });
  client.catch(() => cache.delete(cluster)); // a refusal is not kept: the next view asks again
  return client;
}
