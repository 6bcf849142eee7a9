// Adds every context of a talosconfig as a credential, all or nothing, the private keys sealed.

import { AppError } from "../../model/errors";
import type { PrismaClient } from "../../platform/db/client";
import { instanceSecretKey } from "../../platform/secrets/instance-key";
import type { SecretKey } from "../../platform/secrets/secret-key";
import { readTalosconfig } from "./read-talosconfig";
import { sealCredentialKey } from "./seal-key";

export interface ImportedCredential {
  name: string;
  role: string;
  certNotAfter: Date;
}

export async function importCredentials(
  db: PrismaClient,
  input: { talosconfig: string; secretKey?: SecretKey; now?: Date },
): Promise<ImportedCredential[]> {
  const contexts = readTalosconfig(input.talosconfig, input.now);
  const names = contexts.map((c) => c.name);
  const taken = await db.talosCredential.findMany({ where: { name: { in: names } }, select: { name: true } });
  if (taken.length > 0) throw nameTaken(taken.map((t) => t.name));

  const key = input.secretKey ?? instanceSecretKey();
  const data = contexts.map((c) => ({
    name: c.name,
    endpoints: c.endpoints,
    role: c.role,
    caPem: c.caPem,
    certPem: c.certPem,
    certNotBefore: c.certNotBefore,
    certNotAfter: c.certNotAfter,
    keySealed: sealCredentialKey(key, c.name, c.keyPem),
  }));
  try {
    // One statement: every context is stored, or none is.
    await db.talosCredential.createMany({ data });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") throw nameTaken(names);
    throw err;
  }
  return contexts.map((c) => ({ name: c.name, role: c.role, certNotAfter: c.certNotAfter }));
}

function nameTaken(names: string[]): AppError {
  const list = names.map((n) => `"${n}"`).join(", ");
  const which =
    names.length === 1
      ? `A credential named ${list} already exists`
      : `Credentials named ${list} already exist`;
  return new AppError("CONFLICT", {
    userMessage: `${which}, so nothing was imported. Use Replace to give a credential new certificates, or rename the context in the file.`,
  });
}
