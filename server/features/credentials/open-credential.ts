// Opens a stored credential for the server's own use: unseals the key into what TalosClient needs.
// The result holds the private key: keep it in memory, never return it from an API or log it.
import { X509Certificate } from "node:crypto";
import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import { SealError } from "../../platform/secrets/seal";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { rolesOf, type TalosContext } from "../../talos/talosconfig";
import { openCredentialKey } from "./seal-key";

export async function openCredential(
  db: PrismaClient,
  name: string,
  opts: { secretKey?: SecretKey } = {},
): Promise<TalosContext> {
  const row = await db.talosCredential.findUnique({
    where: { name },
    select: {
      name: true,
      endpoints: true,
      caPem: true,
      certPem: true,
      certNotBefore: true,
      certNotAfter: true,
      keySealed: true,
    },
  });
  if (!row) throw new AppError("NOT_FOUND", { userMessage: `There is no credential named "${name}".` });
  let keyPem: string;
  try {
    keyPem = openCredentialKey(opts.secretKey ?? instanceSecretKey(), row.name, row.keySealed);
  } catch (err) {
    if (!(err instanceof SealError)) throw err;
    throw new AppError("UNAVAILABLE", {
      message: `credential ${row.name}: ${err.message}`,
      userMessage: `The Talos credential "${row.name}" cannot be opened: ${err.message}`,
    });
  }
  return {
    name: row.name,
    endpoints: row.endpoints,
    nodes: [],
    caPem: row.caPem,
    certPem: row.certPem,
    keyPem,
    roles: rolesOf(new X509Certificate(row.certPem)),
    certNotBefore: row.certNotBefore,
    certNotAfter: row.certNotAfter,
  };
}
