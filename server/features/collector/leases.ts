// Cluster leases in Postgres: instances heartbeat, renew their leases, take expired or unowned ones with a
// conditional upsert, and shed clusters beyond their fair share so work spreads over live instances.
// Leases use a database connection of their own, outside the pool that batch writes and the app share, so
// a renewal never waits behind a queue of writes: a collector busy writing keeps its clusters.
import os from "node:os";
import pg from "pg";

export interface LeaseRound {
  /** Clusters this instance holds after the round. */
  held: string[];
  /** Until when (local clock) those leases are certainly ours: stop collecting past it without a renewal. */
  validUntil: number;
}

const ms = (n: number) => `${Math.round(n)} milliseconds`;

export class LeaseManager {
  private readonly pool: pg.Pool;

  constructor(
    databaseUrl: string,
    readonly instanceId: string,
    private readonly leaseMs: number,
  ) {
    // One connection, kept open between rounds (reconnecting to a busy database can take seconds) and
    // reopened after an error; a statement that hangs longer than a third of the lease fails, so the next
    // round can start in time.
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 1,
      idleTimeoutMillis: 0,
      keepAlive: true,
      connectionTimeoutMillis: Math.max(1_000, Math.floor(leaseMs / 3)),
      query_timeout: Math.max(1_000, Math.floor(leaseMs / 3)),
      application_name: "minos collector leases",
    });
    // An idle connection that drops (database restart) is replaced on the next round.
    this.pool.on("error", () => {});
  }

  private async run(text: string, values: unknown[] = []): Promise<void> {
    await this.pool.query(text, values);
  }

  private async rows<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, values)).rows;
  }

  /** One round: heartbeat, renew, shed above the fair share, take free clusters up to it. */
  async round(): Promise<LeaseRound> {
    const started = Date.now();
    const lease = ms(this.leaseMs);
    await this.run(
      `INSERT INTO collector_instance (id, hostname, started_at, heartbeat_at) VALUES ($1::uuid, $2, now(), now())
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
      [this.instanceId, os.hostname()],
    );
    // A removed cluster's lease is not renewed (its removal deletes it; this covers one taken meanwhile).
    const renewed = await this.rows<{ cluster_id: string }>(
      `UPDATE cluster_lease SET expires_at = now() + $2::interval
       WHERE instance_id = $1::uuid AND expires_at > now()
         AND cluster_id IN (SELECT id FROM cluster WHERE removed_at IS NULL) RETURNING cluster_id`,
      [this.instanceId, lease],
    );
    const held = new Set(renewed.map((r) => r.cluster_id));
    const [counts] = await this.rows<{ clusters: number; instances: number }>(
      `SELECT (SELECT count(*)::int FROM cluster WHERE removed_at IS NULL) AS clusters,
              (SELECT count(*)::int FROM collector_instance WHERE heartbeat_at > now() - $1::interval) AS instances`,
      [lease],
    );
    const fairShare = Math.ceil((counts?.clusters ?? 0) / Math.max(1, counts?.instances ?? 1));

    if (held.size > fairShare) {
      const extra = [...held].slice(fairShare);
      await this.run(
        `DELETE FROM cluster_lease WHERE instance_id = $1::uuid AND cluster_id = ANY($2::uuid[])`,
        [this.instanceId, extra],
      );
      for (const id of extra) held.delete(id);
    } else if (held.size < fairShare) {
      const taken = await this.rows<{ cluster_id: string }>(
        `INSERT INTO cluster_lease (cluster_id, instance_id, expires_at)
         SELECT c.id, $1::uuid, now() + $2::interval FROM cluster c
         LEFT JOIN cluster_lease l ON l.cluster_id = c.id
         WHERE c.removed_at IS NULL AND (l.cluster_id IS NULL OR l.expires_at < now())
         ORDER BY random() LIMIT $3
         ON CONFLICT (cluster_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, expires_at = EXCLUDED.expires_at
         WHERE cluster_lease.expires_at < now()
         RETURNING cluster_id`,
        [this.instanceId, lease, fairShare - held.size],
      );
      for (const r of taken) held.add(r.cluster_id);
    }
    // Instances silent for a day are gone for good: drop them (their leases go with them).
    await this.run(`DELETE FROM collector_instance WHERE heartbeat_at < now() - interval '1 day'`);
    // Our leases run from the database's now(), which came after `started`: counting from `started`
    // errs on the safe side, less a margin for clock rate differences.
    return { held: [...held], validUntil: started + this.leaseMs * 0.9 };
  }

  /** Gives every lease back (on stop) so other instances take over at once. */
  async releaseAll(): Promise<void> {
    await this.run(`DELETE FROM cluster_lease WHERE instance_id = $1::uuid`, [this.instanceId]);
    await this.run(`DELETE FROM collector_instance WHERE id = $1::uuid`, [this.instanceId]);
  }

  /** Closes the lease connection (after releaseAll). */
  async close(): Promise<void> {
    await this.pool.end();
  }
}
