// Talos clients per cluster and need, opened with the least-privileged credential that does the job and
// kept while nothing they were chosen from changes: many jobs on one cluster at once (a hundred log
// viewers, a rollout's upgrades) do not each choose and unseal a credential, and a credential replaced,
// removed or added, or a cluster given new endpoints, is taken into account by the very next job, on every
// instance (the check is one small query). A client whose certificate is no longer stored is retired: its
// open streams and calls stop at once, when the change is heard (fleet changes) or noticed by a job.
import { databaseUrlOf, type PrismaClient } from "../../platform/db/client";
import { fleetChanges } from "../../platform/fleet-changes";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { type ChannelPool, TalosClient } from "../../talos";
import { CredentialChoices, type CredentialNeed } from "./credential-for";

/** Tells of changed tables (FleetChanges): the clients are checked again on a credential change. */
export interface TableChanges {
  subscribe(fn: (table: string) => void): () => void;
}

interface Entry {
  /** What the choice was made from (clientVersion); a different one means choose again. */
  version: string;
  client: Promise<TalosClient>;
}

export class ClusterClients {
  private readonly cache = new Map<string, Entry>();
  private readonly unsubscribe: (() => void) | undefined;
  private readonly choices: CredentialChoices;

  constructor(
    private readonly db: PrismaClient,
    /**
     * `changes`: default, the process's listener on the database of `db` (when its URL is known);
     * `pool`: default, the process's shared channel pool.
     */
    private readonly opts: { secretKey?: SecretKey; changes?: TableChanges; pool?: ChannelPool } = {},
  ) {
    this.choices = new CredentialChoices(db, { secretKey: opts.secretKey });
    const url = databaseUrlOf(db);
    const changes = opts.changes ?? (url ? fleetChanges(url) : undefined);
    this.unsubscribe = changes?.subscribe((table) => {
      if (table === "talos_credential") void this.retireUnstored([...this.cache.values()]).catch(() => {});
    });
  }

  async get(cluster: string, need: CredentialNeed): Promise<TalosClient> {
    const key = `${need} ${cluster}`;
    const version = await clientVersion(this.db, cluster);
    const hit = this.cache.get(key);
    if (hit && hit.version === version) {
      const client = await hit.client.catch(() => undefined);
      if (client && !client.retired && client.context.certNotAfter.getTime() > Date.now()) return client;
    }
    const client = this.choices
      .contextFor(cluster, need)
      .then((context) => new TalosClient(context, this.opts.pool ? { pool: this.opts.pool } : {}));
    if (version !== undefined) this.cache.set(key, { version, client });
    // A refusal is not kept: the next job asks again.
    client.catch(() => {
      if (this.cache.get(key)?.client === client) this.cache.delete(key);
    });
    // What it was chosen from changed: a certificate replaced or removed must not stay in use meanwhile.
    if (hit) void this.retireUnstored([hit]).catch(() => {});
    return client;
  }

  /** Retires (and forgets) those of the entries' clients whose certificate is no longer stored. */
  private async retireUnstored(entries: Entry[]): Promise<void> {
    const open: Array<{ entry: Entry; client: TalosClient }> = [];
    for (const entry of entries) {
      const client = await entry.client.catch(() => undefined);
      if (client && !client.retired) open.push({ entry, client });
    }
    if (open.length === 0) return;
    const rows = await this.db.talosCredential.findMany({
      where: { name: { in: [...new Set(open.map((o) => o.client.context.name))] } },
      select: { name: true, certPem: true },
    });
    const stored = new Map(rows.map((r) => [r.name, r.certPem]));
    for (const { entry, client } of open) {
      if (stored.get(client.context.name) === client.context.certPem) continue;
      client.retire();
      for (const [key, kept] of this.cache) if (kept === entry) this.cache.delete(key);
    }
  }

  /** Stops listening for changes (tests, a reconciler or collector that stops). */
  close(): void {
    this.unsubscribe?.();
  }
}

/**
 * What a cluster's credential is chosen from (credentialFor), as one value: the cluster's endpoints and
 * linked credential, and the version every change to any credential bumps (migration
 * `credential_changes`). Undefined when there is no such cluster.
 */
async function clientVersion(db: PrismaClient, cluster: string): Promise<string | undefined> {
  const rows = await db.$queryRaw<Array<{ version: string }>>`
    SELECT concat_ws('|', v.version::text, c.credential_id::text, c.endpoints::text) AS version
    FROM cluster c CROSS JOIN talos_credential_version v
    WHERE c.name = ${cluster}`;
  return rows[0]?.version;
}

const shared = new WeakMap<PrismaClient, ClusterClients>();

/** The process's clients for a database (log streams and the app's other jobs share them). */
export function sharedClusterClients(db: PrismaClient): ClusterClients {
  let clients = shared.get(db);
  if (!clients) {
    clients = new ClusterClients(db);
    shared.set(db, clients);
  }
  return clients;
}
