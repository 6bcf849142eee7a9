// Tunables of the collector, with defaults sized for 10,000 machines on one 2-core instance.
import type { Logger } from "pino";
import type { PrismaClient } from "../../platform/db/client";
import type { SecretKey } from "../../platform/secrets/secret-key";

export interface CollectorOptions {
  db: PrismaClient;
  log: Logger;
  /** This instance's id in collector_instance (default: a random UUID). */
  instanceId?: string;
  /** How long a cluster lease lasts without renewal; another instance takes the cluster after that. */
  leaseMs?: number;
  /** How often leases are renewed and free clusters taken (default leaseMs / 3). */
  renewMs?: number;
  /** Periodic reconcile of every machine (version, services, boot id, etcd), jittered ±20 %. */
  reconcileMs?: number;
  /** Batched writes: pending changes are written every flushMs in one statement per table. */
  flushMs?: number;
  /** How often the held clusters are checked (one query for all) for joins, departures and credential changes. */
  machinesRefreshMs?: number;
  /** Reconciles in flight at once, across all clusters (each makes its Talos calls in parallel). */
  concurrency?: number;
  /** First contacts (stream open and first full read of a machine) in progress at once, across all clusters. */
  firstContacts?: number;
  /** The database for the collector's own connections, leases and writes (default: the URL `db` was created with by createDb). */
  databaseUrl?: string;
  /** Deadline of every Talos call of the reconcile. */
  timeoutMs?: number;
  /** Longest wait between attempts at an unreachable machine (exponential backoff up to this). */
  maxBackoffMs?: number;
  /** Also follow each machine's Events stream (service state changes as they happen). */
  events?: boolean;
  /** Read drift state (extensions, kernel args, redacted machine configuration) and recompute drift. */
  drift?: boolean;
  /**
   * Watch each cluster's Kubernetes Nodes (Ready, cordon, kubelet version) through its admin kubeconfig,
   * obtained through Talos: needs an os:admin credential for the cluster.
   */
  kubernetes?: boolean;
  /** Health model: no contact for longer than this and a machine's state is unknown. */
  staleAfterMs?: number;
  secretKey?: SecretKey;
}

export type ResolvedOptions = Required<Omit<CollectorOptions, "secretKey" | "databaseUrl">> & {
  secretKey?: SecretKey;
  databaseUrl?: string;
};

export function resolveOptions(o: CollectorOptions, instanceId: string): ResolvedOptions {
  const leaseMs = o.leaseMs ?? 45_000;
  const reconcileMs = o.reconcileMs ?? 60_000;
  return {
    db: o.db,
    log: o.log,
    instanceId,
    leaseMs,
    renewMs: o.renewMs ?? Math.max(200, Math.min(10_000, Math.floor(leaseMs / 3))),
    reconcileMs,
    flushMs: o.flushMs ?? 300,
    machinesRefreshMs: o.machinesRefreshMs ?? 15_000,
    concurrency: o.concurrency ?? 64,
    firstContacts: o.firstContacts ?? 32,
    timeoutMs: o.timeoutMs ?? 10_000,
    maxBackoffMs: o.maxBackoffMs ?? 60_000,
    events: o.events ?? true,
    drift: o.drift ?? true,
    kubernetes: o.kubernetes ?? true,
    staleAfterMs: o.staleAfterMs ?? Math.max(5 * 60_000, 3 * reconcileMs),
    ...(o.secretKey ? { secretKey: o.secretKey } : {}),
    ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
  };
}
