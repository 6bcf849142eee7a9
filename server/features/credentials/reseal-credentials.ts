// Re-seals every credential's private key and every imported read-only kubeconfig under a new secret
// key, in one transaction, and moves the audit trail's signed head to the new key in the same
// transaction; kubeconfigs obtained through Talos are dropped, to be fetched again.
import { carryAuditHead } from "../../access/audit/audit-head";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { SealError } from "../../platform/secrets/seal";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { openKubeReader, sealKubeReader } from "./kube-reader-seal";
import { openCredentialKey, sealCredentialKey } from "./seal-key";

export async function resealCredentials(
  db: PrismaClient,
  keys: { from: SecretKey; to: SecretKey },
): Promise<{ resealed: string[] }> {
  return db.$transaction(
    async (tx) => {
      // No credential may be added or replaced under the old key while this runs.
      await tx.$executeRaw`LOCK TABLE talos_credential IN EXCLUSIVE MODE`;
      const rows = await tx.talosCredential.findMany({
        orderBy: { name: "asc" },
        select: { id: true, name: true, keySealed: true },
      });
      for (const row of rows) {
        let keyPem: string;
        try {
          keyPem = openCredentialKey(keys.from, row.name, row.keySealed);
        } catch (err) {
          if (!(err instanceof SealError)) throw err;
          throw new AppError("CONFLICT", {
            userMessage: `The credential "${row.name}" does not open with the current key (${err.message}) Nothing was re-sealed.`,
          });
        }
        await tx.talosCredential.update({
          where: { id: row.id },
          data: { keySealed: sealCredentialKey(keys.to, row.name, keyPem) },
        });
      }
      await tx.$executeRaw`LOCK TABLE kube_reader IN EXCLUSIVE MODE`;
      const readers = await tx.kubeReader.findMany({
        select: { id: true, clusterId: true, kubeconfigSealed: true, cluster: { select: { name: true } } },
      });
      for (const r of readers) {
        let text: string;
        try {
          text = openKubeReader(keys.from, r.clusterId, r.kubeconfigSealed);
        } catch (err) {
          if (!(err instanceof SealError)) throw err;
          throw new AppError("CONFLICT", {
            userMessage: `The read-only kubeconfig of cluster ${r.cluster.name} does not open with the current key (${err.message}) Nothing was re-sealed.`,
          });
        }
        await tx.kubeReader.update({
          where: { id: r.id },
          data: { kubeconfigSealed: sealKubeReader(keys.to, r.clusterId, text) },
        });
      }
      // Kubeconfigs Minos obtained through Talos are fetched again under the new key when next needed
      // (server/features/kubernetes/kube-clients.ts): none stays sealed under a key that is going away.
      await tx.kubeCredential.deleteMany({});
      // The audit trail's head is signed with a key derived from the secret key: it moves along.
      await carryAuditHead(tx, keys);
      return {
        resealed: [
          ...rows.map((r) => r.name),
          ...readers.map((r) => `read-only kubeconfig of ${r.cluster.name}`),
        ],
      };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}
