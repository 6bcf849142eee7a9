// Fleet changes: database triggers notify the channel `minos_fleet_changes` (payload: the table's name)
// whenever machines, clusters, health history, rollout locks or Talos credentials change
// (prisma/migrations/*_fleet_changes, *_credential_changes).
// Each process holds one LISTEN connection per database, a pg client of its own (never the Prisma pool: a
// listening connection is held for good), and fans the notifications out to its subscribers. When the
// connection is lost (database restart, terminated backend) it reconnects with backoff; every (re)connect
// tells the subscribers that anything may have changed, since notifications sent meanwhile are lost.
// Kept on globalThis: the custom server and the Next.js bundle load separate copies of this module.
import pg from "pg";
import type { Logger } from "pino";
import { logger } from "./observability/logger";
import { backoff } from "./pacing";

export const FLEET_CHANGES_CHANNEL = "minos_fleet_changes";

/** The tables whose triggers notify the channel: what a subscriber hears after a (re)connect. */
export const FLEET_CHANGES_TABLES = [
  "cluster",
  "machine",
  "machine_state_change",
  "rollout_lock",
  "talos_credential",
] as const;

/** Longest wait between attempts to reconnect. */
const MAX_RETRY_MS = 10_000;

type Subscriber = (table: string) => void;

export class FleetChanges {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private listeningNow = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger = logger(),
  ) {}

  /** Calls `fn` with a table's name on each notification; returns the unsubscribe. Connects on first use. */
  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    if (!this.client && !this.retry && !this.closed) this.connect();
    return () => {
      this.subscribers.delete(fn);
    };
  }

  /** Subscribers in this process now. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Whether the LISTEN is in place now. */
  get listening(): boolean {
    return this.listeningNow;
  }

  /** Ends the connection for good (process stop, tests). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    const c = this.client;
    this.client = undefined;
    this.listeningNow = false;
    await c?.end().catch(() => {});
  }

  private emit(table: string): void {
    for (const fn of this.subscribers) fn(table);
  }

  private connect(): void {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: "minos fleet changes",
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      this.listeningNow = false;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      this.failures += 1;
      const wait = backoff(this.failures, MAX_RETRY_MS, 250);
      if (this.failures === 1) {
        this.log.warn(
          { err, retryInMs: Math.round(wait) },
          "fleet changes: lost the database connection; reconnecting",
        );
      }
      this.retry = setTimeout(() => {
        this.retry = undefined;
        if (!this.closed) this.connect();
      }, wait);
      this.retry.unref();
    };
    client.on("error", onLost);
    client.on("end", () => onLost(new Error("connection ended")));
    client.on("notification", (n) => {
      if (n.channel === FLEET_CHANGES_CHANNEL && n.payload) this.emit(n.payload);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${FLEET_CHANGES_CHANNEL}`))
      .then(() => {
        if (lost || this.closed) return;
        if (this.failures > 0) this.log.info("fleet changes: listening again");
        this.failures = 0;
        this.listeningNow = true;
        // Whatever changed while nobody listened was not heard: tell everyone to look again.
        for (const table of FLEET_CHANGES_TABLES) this.emit(table);
      })
      .catch(onLost);
  }
}

const KEY = Symbol.for("minos.fleetChanges");
type Holder = { [KEY]?: Map<string, FleetChanges> };

function registry(): Map<string, FleetChanges> {
  const h = globalThis as Holder;
  h[KEY] ??= new Map();
  return h[KEY];
}

/** The process's listener on this database, created on first use. */
export function fleetChanges(databaseUrl: string): FleetChanges {
  const all = registry();
  let changes = all.get(databaseUrl);
  if (!changes) {
    changes = new FleetChanges(databaseUrl);
    all.set(databaseUrl, changes);
  }
  return changes;
}

/** Closes every listener of this process (on stop). */
export async function closeFleetChanges(): Promise<void> {
  const all = registry();
  const listeners = [...all.values()];
  all.clear();
  await Promise.all(listeners.map((l) => l.close()));
}
