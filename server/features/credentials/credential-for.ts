// Chooses the least-privileged credential that can do a job on a cluster, and opens it.

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { type TalosContext, withDefaultPort } from "../../talos/talosconfig";
import { authorityKey } from "./authority";
import { openCredential } from "./open-credential";
import { ROLE_RANK } from "./read-talosconfig";

/** What a job needs: reads (state, logs), operations (restart, reboot, pull), admin (upgrade, config). */
export type CredentialNeed = "read" | "operate" | "admin";

/** The least role each need takes; any role ranked at least as high will do. */
export const ROLE_NEEDED: Record<CredentialNeed, string> = {
  read: "os:reader",
  operate: "os:operator",
  admin: "os:admin",
};

const JOB: Record<CredentialNeed, (cluster: string) => string> = {
  read: (c) => `read the state of cluster "${c}"`,
  operate: (c) => `operate the machines of cluster "${c}" (restart services, reboot, pull images)`,
  admin: (c) => `run admin jobs on cluster "${c}" (upgrades, machine configuration)`,
};

export interface Candidate {
  name: string;
  role: string;
  certNotAfter: Date;
}

/** The candidate with the lowest role that suffices; among equals, the one expiring last. */
export function chooseCredential(
  clusterName: string,
  candidates: readonly Candidate[],
  need: CredentialNeed,
  now = new Date(),
): Candidate {
  const needed = ROLE_NEEDED[need];
  const rank = (c: Candidate) => ROLE_RANK[c.role] ?? 0;
  const fitting = candidates
    .filter((c) => rank(c) >= (ROLE_RANK[needed] ?? Number.POSITIVE_INFINITY))
    .sort((a, b) => rank(a) - rank(b) || b.certNotAfter.getTime() - a.certNotAfter.getTime());
  const usable = fitting.find((c) => c.certNotAfter > now);
  if (usable) return usable;
  const expired = fitting[0];
  if (expired) {
    throw new AppError("FORBIDDEN", {
      userMessage: `The Talos credential "${expired.name}" (${expired.role}) that could ${JOB[need](clusterName)} expired on ${expired.certNotAfter.toISOString().slice(0, 10)}. Replace it under Settings → Talos credentials.`,
    });
  }
  const have = candidates.length
    ? `it has only ${candidates.map((c) => `"${c.name}" (${c.role})`).join(", ")}`
    : "it has no credential at all";
  throw new AppError("FORBIDDEN", {
    userMessage: `Minos cannot ${JOB[need](clusterName)}: that needs a Talos credential with the role ${needed}${need === "admin" ? "" : " or higher"}, and ${have}. Import a talosconfig whose certificate carries ${needed} under Settings → Talos credentials.`,
  });
}

/** A stored credential as the choice reads it. */
type StoredCandidate = Candidate & { caPem: string; endpoints: string[] };

const candidateSelect = { name: true, role: true, certNotAfter: true, caPem: true, endpoints: true } as const;

/**
 * Chooses and opens credentials for jobs on clusters, remembering the candidates of each CA while no
 * credential changes (every change bumps one version number: migration `credential_changes`): with a
 * thousand clusters of one CA, the thousand credentials are read once, not once per cluster. The
 * collector, log streams and rollouts share one per process (ClusterClients).
 */
export class CredentialChoices {
  /** CA key → its candidates, as of a credential version. */
  private readonly byAuthority = new Map<string, { version: string; candidates: StoredCandidate[] }>();

  constructor(
    private readonly db: PrismaClient,
    private readonly opts: { secretKey?: SecretKey } = {},
  ) {}

  /**
   * The credential for a job on `clusterName`, opened, aimed at the cluster's endpoints. Candidates are
   * the cluster's credential and every other one its CA issued; without a linked credential, those
   * whose endpoints include one of the cluster's.
   */
  async contextFor(clusterName: string, need: CredentialNeed, now = new Date()): Promise<TalosContext> {
    const rows = await this.db.$queryRaw<
      Array<{ endpoints: string[]; ca_pem: string | null; version: string }>
    >`
      SELECT c.endpoints, t.ca_pem, v.version::text AS version
      FROM cluster c
      LEFT JOIN talos_credential t ON t.id = c.credential_id
      CROSS JOIN talos_credential_version v
      WHERE c.name = ${clusterName}`;
    const cluster = rows[0];
    if (!cluster)
      throw new AppError("NOT_FOUND", { userMessage: `There is no cluster named "${clusterName}".` });
    const endpoints = cluster.endpoints.map(withDefaultPort);
    const candidates = cluster.ca_pem
      ? await this.sameAuthority(cluster.ca_pem, cluster.version)
      : (
          await this.db.talosCredential.findMany({ orderBy: { name: "asc" }, select: candidateSelect })
        ).filter((c) => c.endpoints.some((e) => endpoints.includes(withDefaultPort(e))));
    const chosen = chooseCredential(clusterName, candidates, need, now);
    const context = await openCredential(this.db, chosen.name, { secretKey: this.opts.secretKey });
    return endpoints.length > 0 ? { ...context, endpoints } : context;
  }

  /** Every credential the CA issued (the same CA certificate is normally stored as the same text). */
  private async sameAuthority(caPem: string, version: string): Promise<StoredCandidate[]> {
    const key = authorityKey(caPem);
    const known = this.byAuthority.get(key);
    if (known?.version === version) return known.candidates;
    const exact = await this.db.talosCredential.findMany({
      where: { caPem },
      orderBy: { name: "asc" },
      select: candidateSelect,
    });
    const rows =
      exact.length > 0
        ? exact
        : await this.db.talosCredential.findMany({ orderBy: { name: "asc" }, select: candidateSelect });
    const candidates = rows.filter((c) => authorityKey(c.caPem) === key);
    this.byAuthority.set(key, { version, candidates });
    return candidates;
  }
}

/** The credential for one job, chosen afresh (CredentialChoices remembers candidates across jobs). */
export function credentialFor(
  db: PrismaClient,
  clusterName: string,
  need: CredentialNeed,
  opts: { secretKey?: SecretKey; now?: Date } = {},
): Promise<TalosContext> {
  return new CredentialChoices(db, { secretKey: opts.secretKey }).contextFor(clusterName, need, opts.now);
}
