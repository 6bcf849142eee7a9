// Lists Talos credentials by their non-secret facts, with the clusters each one reaches.
import type { PrismaClient } from "../db/client";
import { sameAuthority } from "./authority";
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
      where: { credentialId: { not: null } },
      orderBy: { name: "asc" },
      select: { name: true, credential: { select: { caPem: true } } },
    }),
  ]);
  return rows.map(({ caPem, ...row }) => {
    const using = clusters.filter((c) => c.credential && sameAuthority(c.credential.caPem, caPem));
    return toFacts(
      row,
      using.map((c) => c.name),
      now,
    );
  });
}
