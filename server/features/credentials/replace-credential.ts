// Gives an existing credential new material (certificate, key, endpoints) under the same name.

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import type { SecretKey } from "../../platform/secrets/secret-key";
import type { ImportedCredential } from "./import-credentials";
import { readTalosconfig } from "./read-talosconfig";
import { sealCredentialKey } from "./seal-key";

/** Uses the file's context of the same name, or its only context. */
export async function replaceCredential(
  db: PrismaClient,
  input: { name: string; talosconfig: string; secretKey?: SecretKey; now?: Date },
): Promise<ImportedCredential> {
  const contexts = readTalosconfig(input.talosconfig, input.now);
  const ctx =
    contexts.find((c) => c.name === input.name) ?? (contexts.length === 1 ? contexts[0] : undefined);
  if (!ctx) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `The talosconfig has several contexts (${contexts.map((c) => c.name).join(", ")}) and none is named "${input.name}". Upload a file with just the new context, or one named "${input.name}".`,
    });
  }
  const key = input.secretKey ?? instanceSecretKey();
  const updated = await db.talosCredential.updateMany({
    where: { name: input.name },
    data: {
      endpoints: ctx.endpoints,
      role: ctx.role,
      caPem: ctx.caPem,
      certPem: ctx.certPem,
      certNotBefore: ctx.certNotBefore,
      certNotAfter: ctx.certNotAfter,
      // Sealed under the stored name, which is what opening it will ask for.
      keySealed: sealCredentialKey(key, input.name, ctx.keyPem),
    },
  });
  if (updated.count === 0) {
    throw new AppError("NOT_FOUND", { userMessage: `There is no credential named "${input.name}".` });
  }
  return { name: input.name, role: ctx.role, certNotAfter: ctx.certNotAfter };
}
