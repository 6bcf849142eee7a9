// Batched writes: every flush sends all pending machine states in one multi-row UPDATE, the history in one
// INSERT, the machines' events in one INSERT and cluster health in one UPDATE, fenced by this instance's
// leases so a lost lease writes nothing.
import type { Logger } from "pino";
import type { PrismaClient } from "../db/client";
import type { EventRow } from "../events/event-row";
import type { Health } from "../health";
import type { LiveMachine, StateChange } from "./machine-state";

export interface ClusterHealthRow {
  clusterId: string;
  health: Health;
  reason: string;
  changed: boolean;
}

/** History kept in memory while the database is away, at most this many rows (oldest dropped). */
const MAX_PENDING_CHANGES = 200_000;

/** Events kept in memory while the database is away (oldest dropped; a reconnect asks the node again). */
const MAX_PENDING_EVENTS = 100_000;

/** Events written per flush at most; the rest wait for the next flush. */
const EVENTS_PER_FLUSH = 3_000;

/** Machines per UPDATE statement; history rows per INSERT are five times that. */
const CHUNK = 1_000;

const LEASE_HELD = (alias: string) =>
  `EXISTS (SELECT 1 FROM cluster_lease l WHERE l.cluster_id = ${alias} AND l.instance_id = $1::uuid AND l.expires_at > now())`;

const UPDATE_MACHINES = `
UPDATE machine AS m SET
  talos_version = v.talos_version, kubernetes_version = v.kubernetes_version, stage = v.stage,
  ready = v.ready, unmet_conditions = v.unmet_conditions::jsonb, services = v.services::jsonb,
  boot_id = v.boot_id, reachable = v.reachable, last_seen_at = v.last_seen_at, last_error = v.last_error,
  health = v.health::"Health", health_reason = v.health_reason, health_since = v.health_since,
  updated_at = now()
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[],
            $9::text[], $10::bool[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::timestamptz[])
  AS v(id, talos_version, kubernetes_version, stage, ready, unmet_conditions, services, boot_id, reachable,
       last_seen_at, last_error, health, health_reason, health_since)
WHERE m.id = v.id AND ${LEASE_HELD("m.cluster_id")}`;

const INSERT_CHANGES = `
INSERT INTO machine_state_change (machine_id, at, field, from_value, to_value, reason)
SELECT v.machine_id, v.at, v.field, v.from_value, v.to_value, v.reason
FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[])
  AS v(machine_id, at, field, from_value, to_value, reason)
JOIN machine m ON m.id = v.machine_id
WHERE ${LEASE_HELD("m.cluster_id")}`;

// Events in the order received (ids follow it), each (machine, Talos event id) once.
const INSERT_EVENTS = `
INSERT INTO machine_event (machine_id, cluster_id, event_id, actor_id, at, received_at, kind, payload, message)
SELECT v.machine_id, v.cluster_id, v.event_id, v.actor_id, v.at, v.received_at, v.kind, v.payload::jsonb, v.message
FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[],
            $9::text[], $10::text[]) WITH ORDINALITY
  AS v(machine_id, cluster_id, event_id, actor_id, at, received_at, kind, payload, message, n)
JOIN machine m ON m.id = v.machine_id AND m.cluster_id = v.cluster_id
WHERE ${LEASE_HELD("m.cluster_id")}
ORDER BY v.n
ON CONFLICT (machine_id, event_id) DO NOTHING`;

const UPDATE_CLUSTERS = `
UPDATE cluster AS c SET health = v.health::"Health", health_reason = v.reason,
  health_since = CASE WHEN c.health = v.health::"Health" THEN c.health_since ELSE now() END
FROM unnest($2::uuid[], $3::text[], $4::text[]) AS v(id, health, reason)
WHERE c.id = v.id AND (c.health <> v.health::"Health" OR c.health_reason <> v.reason) AND ${LEASE_HELD("c.id")}`;

export class BatchWriter {
  private dirty = new Map<string, LiveMachine>();
  private changes: StateChange[] = [];
  private events: EventRow[] = [];
  /** Events dropped since the database went away (said once it is back). */
  private droppedEvents = 0;
  private clusters = new Map<string, ClusterHealthRow>();
  private failing = false;
  /** Called after each successful flush with the ids of the machines written (for latency measurements). */
  onFlushed?: (machineIds: string[], at: number) => void;

  constructor(
    private readonly db: PrismaClient,
    private readonly instanceId: string,
    private readonly log: Logger,
  ) {}

  markDirty(m: LiveMachine, changes: StateChange[]): void {
    this.dirty.set(m.id, m);
    if (changes.length) this.changes.push(...changes);
    if (this.changes.length > MAX_PENDING_CHANGES) {
      this.changes.splice(0, this.changes.length - MAX_PENDING_CHANGES);
    }
  }

  addEvents(rows: EventRow[]): void {
    this.events.push(...rows);
    if (this.events.length > MAX_PENDING_EVENTS) {
      const dropped = this.events.length - MAX_PENDING_EVENTS;
      this.events.splice(0, dropped);
      if (this.droppedEvents === 0)
        this.log.warn("collector: dropping the oldest events while the database is away");
      this.droppedEvents += dropped;
    }
  }

  setClusterHealth(row: ClusterHealthRow): void {
    this.clusters.set(row.clusterId, row);
  }

  get pending(): number {
    return this.dirty.size + this.changes.length + this.events.length + this.clusters.size;
  }

  /** Writes what is pending; on failure keeps it for the next flush (newer states replace older ones). */
  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const machines = [...this.dirty.values()];
    const changes = this.changes;
    const clusters = [...this.clusters.values()];
    // A backlog of events (a whole fleet's history on first contact) goes out over several flushes, so
    // machine states, written first in every flush, are never held up behind it.
    const events = this.events.slice(0, EVENTS_PER_FLUSH);
    this.dirty = new Map();
    this.changes = [];
    this.events = this.events.slice(events.length);
    this.clusters = new Map();
    // Snapshot the values now: the objects keep changing while the statement runs.
    const rows = machines.map((m) => ({ ...m }));
    let changesWritten = 0;
    let eventsWritten = 0;
    try {
      // Statements, not one transaction: each is atomic, and a retry after a partial failure rewrites the
      // same newest state. Large flushes (the first collection of a big fleet) go in chunks.
      for (let i = 0; i < rows.length; i += CHUNK) {
        await this.db.$executeRawUnsafe(
          UPDATE_MACHINES,
          this.instanceId,
          ...machineColumns(rows.slice(i, i + CHUNK)),
        );
      }
      for (let i = 0; i < changes.length; i += CHUNK * 5) {
        const part = changes.slice(i, i + CHUNK * 5);
        await this.db.$executeRawUnsafe(
          INSERT_CHANGES,
          this.instanceId,
          part.map((c) => c.machineId),
          part.map((c) => c.at),
          part.map((c) => c.field),
          part.map((c) => c.fromValue),
          part.map((c) => c.toValue),
          part.map((c) => c.reason),
        );
        changesWritten = i + part.length;
      }
      for (let i = 0; i < events.length; i += CHUNK) {
        const part = events.slice(i, i + CHUNK);
        await this.db.$executeRawUnsafe(INSERT_EVENTS, this.instanceId, ...eventColumns(part));
        eventsWritten = i + part.length;
      }
      if (clusters.length) {
        await this.db.$executeRawUnsafe(
          UPDATE_CLUSTERS,
          this.instanceId,
          clusters.map((c) => c.clusterId),
          clusters.map((c) => c.health),
          clusters.map((c) => c.reason),
        );
      }
      if (this.failing) this.log.info("collector: database writes work again");
      if (this.droppedEvents) {
        this.log.warn(
          { dropped: this.droppedEvents },
          "collector: events were dropped while the database was away",
        );
        this.droppedEvents = 0;
      }
      this.failing = false;
      this.onFlushed?.(
        machines.map((m) => m.id),
        Date.now(),
      );
    } catch (err) {
      if (!this.failing) this.log.warn({ err }, "collector: writing machine state failed; will retry");
      this.failing = true;
      for (const m of machines) if (!this.dirty.has(m.id)) this.dirty.set(m.id, m);
      // History rows already inserted are not inserted twice.
      this.changes = [...changes.slice(changesWritten), ...this.changes].slice(-MAX_PENDING_CHANGES);
      this.events = [...events.slice(eventsWritten), ...this.events].slice(-MAX_PENDING_EVENTS);
      for (const c of clusters) if (!this.clusters.has(c.clusterId)) this.clusters.set(c.clusterId, c);
    }
  }
}

function machineColumns(rows: LiveMachine[]): unknown[] {
  return [
    rows.map((m) => m.id),
    rows.map((m) => m.talosVersion),
    rows.map((m) => m.kubernetesVersion),
    rows.map((m) => m.stage),
    rows.map((m) => m.ready),
    rows.map((m) => JSON.stringify(m.unmetConditions)),
    rows.map((m) => JSON.stringify(m.services)),
    rows.map((m) => m.bootId),
    rows.map((m) => m.reachable),
    rows.map((m) => m.lastSeenAt),
    rows.map((m) => m.lastError),
    rows.map((m) => m.health),
    rows.map((m) => m.healthReason),
    rows.map((m) => m.healthSince),
  ];
}

function eventColumns(rows: EventRow[]): unknown[] {
  return [
    rows.map((e) => e.machineId),
    rows.map((e) => e.clusterId),
    rows.map((e) => e.eventId),
    rows.map((e) => e.actorId),
    rows.map((e) => e.at),
    rows.map((e) => e.receivedAt),
    rows.map((e) => e.kind),
    rows.map((e) => JSON.stringify(e.payload)),
    rows.map((e) => e.message),
  ];
}
