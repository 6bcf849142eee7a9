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

/**
 * The credential for a job on `clusterName`, opened, aimed at the cluster's endpoints. Candidates are
 * the cluster's credential and every other one its CA issued; without a linked credential, those
 * whose endpoints include one of the cluster's.
 */
export async function credentialFor(
  db: PrismaClient,
  clusterName: string,
  need: CredentialNeed,
  opts: { secretKey?: SecretKey; now?: Date } = {},
): Promise<TalosContext> {
  const cluster = await db.cluster.findUnique({
    where: { name: clusterName },
    select: { endpoints: true, credential: { select: { caPem: true } } },
  });
  if (!cluster)
    throw new AppError("NOT_FOUND", { userMessage: `There is no cluster named "${clusterName}".` });
  const endpoints = cluster.endpoints.map(withDefaultPort);
  // With a linked credential, the candidates are the credentials of the same CA: read those rows only
  // (the same CA certificate is normally stored as the same text), so choosing stays one small query
  // per cluster however large the fleet. Without one, every credential is a candidate by endpoint.
  const select = { name: true, role: true, certNotAfter: true, caPem: true, endpoints: true } as const;
  const sameCa = cluster.credential
    ? await db.talosCredential.findMany({
        where: { caPem: cluster.credential.caPem },
        orderBy: { name: "asc" },
        select,
      })
    : [];
  const all =
    sameCa.length > 0 ? sameCa : await db.talosCredential.findMany({ orderBy: { name: "asc" }, select });
  const linkedCa = cluster.credential ? authorityKey(cluster.credential.caPem) : undefined;
  const candidates = all.filter((c) =>
    linkedCa !== undefined
      ? authorityKey(c.caPem) === linkedCa
      : c.endpoints.some((e) => endpoints.includes(withDefaultPort(e))),
  );
  const chosen = chooseCredential(clusterName, candidates, need, opts.now);
  const context = await openCredential(db, chosen.name, { secretKey: opts.secretKey });
  return endpoints.length > 0 ? { ...context, endpoints } : context;
}
