// Kubernetes clients per cluster. Minos obtains a cluster's admin kubeconfig through Talos (as
// `talosctl kubeconfig`: MachineService.Kubeconfig on a control plane, with the cluster's os:admin
// credential), keeps it sealed in the database (kube_credential) and in memory only as a client, and
// fetches a new one before its client certificate expires, or when the API refuses it (401: the
// cluster's Kubernetes CA was rotated). Reads go through `reader`: the cluster's imported read-only
// kubeconfig when an administrator gave one (kube-readers.ts), else the admin one.

import { KubeClient, KubeError } from "../../kubernetes";
import type { PrismaClient } from "../../platform/db/client";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import { open, seal } from "../../platform/secrets/seal";
import type { SecretKey } from "../../platform/secrets/secret-key";
import type { ClusterClients } from "../credentials/cluster-clients";
import { openKubeReader } from "../credentials/kube-reader-seal";

const DAY_MS = 24 * 3_600_000;
/** How often a cached reader is checked against its row (replaced or removed by an administrator). */
const READER_CHECK_MS = 30_000;

/** The associated data a kubeconfig is sealed with: a sealed value moved to another cluster does not open. */
const sealingContext = (clusterId: string) => `kube-credential:${clusterId}`;

interface Entry {
  client: KubeClient;
  certNotAfter: Date;
  fetchedAt: Date;
}

export class KubeClients {
  private readonly cache = new Map<string, Entry>();
  private readonly fetching = new Map<string, Promise<Entry>>();
  /** Imported readers per cluster: the client (null: none imported), its row's version, when checked. */
  private readonly readers = new Map<
    string,
    { client: KubeClient | null; version: number; checkedAt: number }
  >();

  constructor(
    private readonly db: PrismaClient,
    private readonly talos: ClusterClients,
    private readonly opts: { secretKey?: SecretKey } = {},
  ) {}

  /** The cluster's Kubernetes client; fails with a KubeError saying why there is none. */
  async get(cluster: string): Promise<KubeClient> {
    const hit = this.cache.get(cluster);
    if (hit && !dueForRenewal(hit)) return hit.client;
    let pending = this.fetching.get(cluster);
    if (!pending) {
      pending = this.load(cluster).finally(() => this.fetching.delete(cluster));
      this.fetching.set(cluster, pending);
    }
    return (await pending).client;
  }

  /**
   * The client for reading the cluster's Kubernetes API: its imported read-only kubeconfig when there is
   * one, else the admin client. Changes must go through `get`.
   */
  async reader(cluster: string): Promise<KubeClient> {
    const hit = this.readers.get(cluster);
    if (hit && Date.now() - hit.checkedAt < READER_CHECK_MS) return hit.client ?? this.get(cluster);
    const row = await this.db.kubeReader.findFirst({
      where: { cluster: { name: cluster, removedAt: null } },
      select: { clusterId: true, updatedAt: true, kubeconfigSealed: true },
    });
    const version = row?.updatedAt.getTime() ?? 0;
    let client = hit && hit.version === version ? hit.client : null;
    if (row && !client) {
      try {
        client = new KubeClient(openKubeReader(this.key(), row.clusterId, row.kubeconfigSealed));
      } catch (err) {
        throw new KubeError(
          `The read-only kubeconfig of cluster ${cluster} cannot be used (${err instanceof Error ? err.message : String(err)}); import it again or remove it.`,
          0,
          "Invalid",
        );
      }
    }
    this.readers.set(cluster, { client, version, checkedAt: Date.now() });
    return client ?? this.get(cluster);
  }

  /** Runs a read with `reader`'s client; without an imported reader, as `with` (a 401 fetches anew once). */
  async withReader<T>(cluster: string, work: (kube: KubeClient) => Promise<T>): Promise<T> {
    const client = await this.reader(cluster);
    const admin = this.cache.get(cluster)?.client;
    return client === admin ? this.with(cluster, work) : work(client);
  }

  /**
   * Runs `work` with the cluster's client; when the API refuses the kubeconfig (401) it is fetched again
   * through Talos once and `work` retried.
   */
  async with<T>(cluster: string, work: (kube: KubeClient) => Promise<T>): Promise<T> {
    try {
      return await work(await this.get(cluster));
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 401)) throw err;
      await this.forget(cluster);
      return work(await this.get(cluster));
    }
  }

  /** Drops the cluster's kubeconfig (memory and database): the next use fetches a new one. */
  async forget(cluster: string): Promise<void> {
    this.cache.delete(cluster);
    await this.db.kubeCredential.deleteMany({ where: { cluster: { name: cluster } } });
  }

  private key(): SecretKey {
    return this.opts.secretKey ?? instanceSecretKey();
  }

  private async load(cluster: string): Promise<Entry> {
    const row = await this.db.cluster.findFirst({
      where: { name: cluster, removedAt: null },
      select: {
        id: true,
        kubeCredential: { select: { kubeconfigSealed: true, certNotAfter: true, fetchedAt: true } },
      },
    });
    if (!row) throw new KubeError(`There is no cluster named "${cluster}".`, 404, "NotFound");
    const stored = row.kubeCredential;
    if (stored && !dueForRenewal(stored)) {
      try {
        const text = open(this.key(), stored.kubeconfigSealed, sealingContext(row.id)).toString("utf8");
        return this.keep(cluster, { client: new KubeClient(text), ...stored });
      } catch {
        // sealed under another key or unreadable: fetch a new one below
      }
    }
    return this.keep(cluster, await this.fetch(cluster, row.id));
  }

  private keep(cluster: string, entry: Entry): Entry {
    this.cache.set(cluster, entry);
    return entry;
  }

  /** Asks the cluster's control planes, one after another, for an admin kubeconfig, and stores it sealed. */
  private async fetch(cluster: string, clusterId: string): Promise<Entry> {
    const talos = await this.talos.get(cluster, "admin");
    const controlPlanes = await this.db.machine.findMany({
      where: { clusterId, role: "controlplane", removedAt: null },
      orderBy: { hostname: "asc" },
      select: { address: true },
    });
    if (controlPlanes.length === 0) {
      throw new KubeError(
        `Minos knows no control plane of cluster ${cluster} to ask for a kubeconfig; wait for its first collection.`,
        0,
        "NoControlPlane",
      );
    }
    const failures: string[] = [];
    for (const { address } of controlPlanes) {
      let text: string;
      try {
        text = await talos.kubeconfig({ node: address, timeoutMs: 15_000 });
      } catch (err) {
        failures.push(`${address}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const client = new KubeClient(text);
      const certNotAfter = client.facts.certNotAfter ?? new Date(Date.now() + 365 * DAY_MS);
      const fetchedAt = new Date();
      const sealed = new Uint8Array(seal(this.key(), text, sealingContext(clusterId)));
      const data = {
        server: client.facts.server,
        certNotAfter,
        kubeconfigSealed: sealed,
        fetchedFrom: address,
        fetchedAt,
      };
      await this.db.kubeCredential.upsert({
        where: { clusterId },
        create: { clusterId, ...data },
        update: data,
      });
      return { client, certNotAfter, fetchedAt };
    }
    throw new KubeError(
      `No control plane of cluster ${cluster} gave a kubeconfig (${failures.join("; ")}).`,
      0,
      "Unavailable",
    );
  }
}

/** Renewed when under a third of its lifetime or under 30 days is left, whichever comes first. */
function dueForRenewal(e: { certNotAfter: Date; fetchedAt: Date }): boolean {
  const left = e.certNotAfter.getTime() - Date.now();
  const lifetime = e.certNotAfter.getTime() - e.fetchedAt.getTime();
  return left < Math.min(30 * DAY_MS, lifetime / 3);
}

const shared = new WeakMap<PrismaClient, KubeClients>();

/** The process's Kubernetes clients for a database. */
export function sharedKubeClients(db: PrismaClient, talos: ClusterClients): KubeClients {
  let clients = shared.get(db);
  if (!clients) {
    clients = new KubeClients(db, talos);
    shared.set(db, clients);
  }
  return clients;
}
