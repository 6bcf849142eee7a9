// Lists Talos credentials by their non-secret facts, with the clusters each one reaches.
import type { PrismaClient } from "../../platform/db/client";
import { authorityKey } from "./authority";
import { type CredentialFacts, credentialFactsSelect, toFacts } from "./credential-facts";

export async function listCredentials(
  db: PrismaClient,
  opts: { now?: Date } = {},
): Promise<CredentialFacts[]> {
  const now = opts.now ?? new Date();
  const [rows, clusters] = await Promise.all([
    // The CA certificate is public, but read only to match clusters; it is not returned.
    db.talosCredential.findMany({
      orderBy: { name: "asc" },
      select: { ...credentialFactsSelect, caPem: true },
    }),
    db.cluster.findMany({
      where: { credentialId: { not: null }, removedAt: null },
      orderBy: { name: "asc" },
      select: { name: true, credential: { select: { caPem: true } } },
    }),
  ]);
  // Cluster names by the CA of their linked credential, so each credential finds its clusters at once.
  const byAuthority = new Map<string, string[]>();
  for (const c of clusters) {
    if (!c.credential) continue;
    const key = authorityKey(c.credential.caPem);
    byAuthority.set(key, [...(byAuthority.get(key) ?? []), c.name]);
  }
  // Credentials per CA: the only one of its CA is the only one reaching its clusters.
  const perAuthority = new Map<string, number>();
  for (const r of rows)
    perAuthority.set(authorityKey(r.caPem), (perAuthority.get(authorityKey(r.caPem)) ?? 0) + 1);
  return rows.map(({ caPem, ...row }) => {
    const key = authorityKey(caPem);
    return toFacts(row, byAuthority.get(key) ?? [], now, perAuthority.get(key) === 1);
  });
}
