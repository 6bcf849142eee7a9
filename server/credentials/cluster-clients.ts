// Talos clients per cluster and need, opened with the least-privileged credential that does the job and kept
// for a minute: many jobs on one cluster at once (a hundred log viewers, a rollout's upgrades) do not each
// choose and unseal a credential. Channels are shared by the process-wide pool either way.
import type { PrismaClient } from "../db/client";
import type { SecretKey } from "../secrets/secret-key";
import { TalosClient } from "../talos";
import { type CredentialNeed, credentialFor } from "./credential-for";

const KEEP_MS = 60_000;

export class ClusterClients {
  private readonly cache = new Map<string, { client: Promise<TalosClient>; until: number }>();

  constructor(
    private readonly db: PrismaClient,
    private readonly opts: { secretKey?: SecretKey; keepMs?: number } = {},
  ) {}

  get(cluster: string, need: CredentialNeed): Promise<TalosClient> {
    const key = `${need} ${cluster}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.client;
    const client = credentialFor(this.db, cluster, need, { secretKey: this.opts.secretKey }).then(
      (context) => new TalosClient(context),
    );
    this.cache.set(key, { client, until: now + (this.opts.keepMs ?? KEEP_MS) });
    // A refusal is not kept: the next job asks again.
    client.catch(() => {
      if (this.cache.get(key)?.client === client) this.cache.delete(key);
    });
    return client;
  }
}
