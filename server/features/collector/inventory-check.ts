// Finds the held clusters whose machine rows or credentials changed, with two queries for all of them, so a
// thousand clusters are not each re-read every few seconds: only those that changed re-read their rows.
import type { PrismaClient } from "../../platform/db/client";
import type { ClusterWorker, CredentialStamp, MachineAddress } from "./cluster-worker";

/** Tells every worker whose machines joined, left or moved, or whose credential changed, to refresh now. */
export async function checkInventory(
  db: PrismaClient,
  workers: ReadonlyMap<string, ClusterWorker>,
): Promise<number> {
  const clusterIds = [...workers.keys()];
  if (!clusterIds.length) return 0;
  const names = [
    ...new Set([...workers.values()].map((w) => w.credentialName).filter((n) => n !== undefined)),
  ];
  const [machines, credentials] = await Promise.all([
    db.$queryRaw<Array<{ cluster_id: string; id: string; address: string }>>`
      SELECT cluster_id::text AS cluster_id, id::text AS id, address FROM machine
      WHERE removed_at IS NULL AND cluster_id = ANY(${clusterIds}::uuid[])`,
    names.length
      ? db.$queryRaw<Array<{ name: string; cert_not_after: Date; cert_digest: string }>>`
          SELECT name, cert_not_after, md5(cert_pem) AS cert_digest FROM talos_credential
          WHERE name = ANY(${names}::text[])`
      : [],
  ]);
  const byCluster = new Map<string, MachineAddress[]>();
  for (const m of machines) {
    const list = byCluster.get(m.cluster_id) ?? [];
    list.push({ id: m.id, address: m.address });
    byCluster.set(m.cluster_id, list);
  }
  const byName = new Map<string, CredentialStamp>(
    credentials.map((c) => [c.name, { certNotAfter: c.cert_not_after, certDigest: c.cert_digest }]),
  );
  let stale = 0;
  for (const [id, worker] of workers) {
    const name = worker.credentialName;
    if (worker.isStale(byCluster.get(id) ?? [], name === undefined ? undefined : byName.get(name))) {
      worker.refreshSoon();
      stale++;
    }
  }
  return stale;
}
