// The collector: takes cluster leases, runs one ClusterWorker per held cluster, writes state in batches.
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { databaseUrlOf } from "../../platform/db/client";
import { fleetChanges } from "../../platform/fleet-changes";
import { sleep } from "../../platform/pacing";
import { ChannelPool } from "../../talos";
import { ClusterClients } from "../credentials/cluster-clients";
import { DriftSink } from "../drift/drift-sink";
import { KubeClients } from "../kubernetes/kube-clients";
import { ClusterWorker } from "./cluster-worker";
import { FirstContacts } from "./first-contacts";
import { checkInventory } from "./inventory-check";
import { LeaseManager } from "./leases";
import type { CallCounts } from "./machine-runner";
import { type CollectorOptions, resolveOptions } from "./options";
import { Waker } from "./waker";
import { BatchWriter } from "./writer";

export interface Collector {
  readonly instanceId: string;
  /** Clusters this instance collects right now. */
  held(): string[];
  /** For benchmarks: called after each successful flush with the machine ids written. */
  writer: BatchWriter;
  /** For benchmarks and logs: Talos calls made so far by purpose, and how far first contacts are. */
  stats(): CollectorStats;
  /** Stops collecting, writes what is pending and gives the leases back (once; later calls wait for it). */
  stop(): Promise<void>;
}

export interface CollectorStats extends CallCounts {
  firstContacts: { waiting: number; active: number; completed: number };
  /** Events received but not written yet. */
  pendingEvents: number;
}

/** How often health is re-evaluated where the clock alone can change it (staleness, "last seen … ago"). */
const SWEEP_MS = 10_000;

/** First contacts that replay a machine's whole event history wait while more events than this are unwritten. */
const MAX_EVENT_BACKLOG = 20_000;

export function startCollector(options: CollectorOptions): Collector {
  const instanceId = options.instanceId ?? randomUUID();
  const o = resolveOptions(options, instanceId);
  const log = o.log.child({ component: "collector", instanceId });
  const stopper = new AbortController();
  const signal = stopper.signal;
  const databaseUrl = o.databaseUrl ?? databaseUrlOf(o.db);
  if (!databaseUrl) {
    throw new Error(
      "startCollector needs the database URL for its own connections (leases, writes): create the client with createDb(url) or pass databaseUrl",
    );
  }
  const pool = new ChannelPool();
  const clients = new ClusterClients(o.db, { pool, ...(o.secretKey ? { secretKey: o.secretKey } : {}) });
  const writer = new BatchWriter(databaseUrl, instanceId, log);
  const leases = new LeaseManager(databaseUrl, instanceId, o.leaseMs);
  const workers = new Map<string, ClusterWorker>();
  const drift = o.drift ? new DriftSink(o.db, log) : undefined;
  const kube = o.kubernetes
    ? new KubeClients(o.db, clients, o.secretKey ? { secretKey: o.secretKey } : {})
    : undefined;
  const counts: CallCounts = { reconcileCalls: 0, driftCalls: 0, streamOpens: 0, events: 0 };
  const firstContacts = new FirstContacts({
    concurrency: o.firstContacts,
    spreadMs: 1_000,
    backlog: () => writer.pendingEvents,
    maxBacklog: MAX_EVENT_BACKLOG,
  });
  let validUntil = 0;
  const deps = {
    db: o.db,
    log,
    writer,
    calls: pLimit(o.concurrency),
    firstContacts,
    // Cluster refreshes read through the app's Prisma pool (10 connections): at most 4 at once.
    refreshes: pLimit(4),
    count: (what: keyof CallCounts, n = 1) => {
      counts[what] += n;
    },
    clients,
    reconcileMs: o.reconcileMs,
    timeoutMs: o.timeoutMs,
    maxBackoffMs: o.maxBackoffMs,
    staleAfterMs: o.staleAfterMs,
    events: o.events,
    ...(o.secretKey ? { secretKey: o.secretKey } : {}),
    ...(drift ? { drift } : {}),
    ...(kube ? { kube, kubeSetups: pLimit(4) } : {}),
  };

  const stopWorkers = async (ids: string[]) => {
    await Promise.all(
      ids.map(async (id) => {
        const w = workers.get(id);
        workers.delete(id);
        await w?.stop();
      }),
    );
  };

  const leaseLoop = async () => {
    let failing = false;
    while (!signal.aborted) {
      const roundStarted = Date.now();
      try {
        const round = await leases.round();
        const took = Date.now() - roundStarted;
        if (took > o.renewMs) log.warn({ tookMs: took }, "collector: lease round was slow");
        if (signal.aborted) break;
        validUntil = round.validUntil;
        const held = new Set(round.held);
        const lost = [...workers.keys()].filter((id) => !held.has(id));
        if (lost.length) log.info({ clusters: lost.length }, "collector: clusters handed over");
        await stopWorkers(lost);
        let started = 0;
        for (const id of held) {
          if (workers.has(id)) continue;
          const w = new ClusterWorker(deps, id);
          workers.set(id, w);
          w.start();
          started++;
        }
        if (started) log.info({ clusters: started, held: workers.size }, "collector: clusters taken");
        if (failing) log.info("collector: leases renewed again");
        failing = false;
      } catch (err) {
        if (!failing) log.warn({ err }, "collector: lease renewal failed; retrying");
        failing = true;
      }
      // Rounds start every renewMs, however long one took: a slow round must not delay the next renewal.
      await sleep(Math.max(0, o.renewMs - (Date.now() - roundStarted)), signal);
    }
  };

  const flushLoop = async () => {
    let lastSweep = Date.now();
    while (!signal.aborted) {
      await sleep(o.flushMs, signal);
      // Without a renewal in time another instance may own these clusters now: stop before it starts.
      if (workers.size && Date.now() > validUntil) {
        log.warn({ clusters: workers.size }, "collector: leases not renewed in time; pausing those clusters");
        await stopWorkers([...workers.keys()]);
      }
      if (Date.now() - lastSweep > SWEEP_MS) {
        lastSweep = Date.now();
        for (const w of workers.values()) w.sweep(2 * SWEEP_MS);
      }
      for (const w of workers.values()) w.rollUp();
      await writer.flush();
    }
  };

  // Joins, departures and credential changes: one check for all held clusters; the changed ones re-read.
  // A credential added, replaced or removed is checked at once (heard on the database's fleet changes):
  // a certificate an administrator took away is not used until the next round.
  const inventoryWaker = new Waker();
  const unsubscribe = fleetChanges(databaseUrl).subscribe((table) => {
    if (table === "talos_credential") inventoryWaker.wake();
  });
  const inventoryLoop = async () => {
    let failing = false;
    while (!signal.aborted) {
      await inventoryWaker.sleep(o.machinesRefreshMs, signal);
      if (signal.aborted) break;
      try {
        await checkInventory(o.db, workers);
        failing = false;
      } catch (err) {
        if (!failing) log.warn({ err }, "collector: inventory check failed; retrying");
        failing = true;
      }
    }
  };

  // Events go out back to back while there is a backlog, one statement at a time (so one connection).
  const eventLoop = async () => {
    while (!signal.aborted) {
      const written = await writer.flushEvents();
      if (written === 0) await sleep(o.flushMs, signal);
    }
  };

  const loops = Promise.all([leaseLoop(), flushLoop(), eventLoop(), inventoryLoop()]);
  let stopped: Promise<void> | undefined;
  log.info({ leaseMs: o.leaseMs, reconcileMs: o.reconcileMs }, "collector started");

  return {
    instanceId,
    writer,
    held: () => [...workers.keys()],
    stats: () => ({ ...counts, firstContacts: firstContacts.stats(), pendingEvents: writer.pendingEvents }),
    stop() {
      stopped ??= (async () => {
        stopper.abort();
        unsubscribe();
        await loops;
        await stopWorkers([...workers.keys()]);
        await writer.flush().catch(() => {});
        // Unwritten events for at most 2 s: whoever collects next resumes each stream after the newest stored
        // event, so the nodes send the rest again.
        const until = Date.now() + 2_000;
        while (Date.now() < until && (await writer.flushEvents()) > 0) {}
        await writer.close();
        await drift?.stop();
        await leases.releaseAll().catch((err) => log.warn({ err }, "collector: could not release leases"));
        await leases.close();
        clients.close();
        pool.close();
        log.info("collector stopped");
      })();
      return stopped;
    },
  };
}
