// Sealing of a credential's private key, bound to the credential's name.
import { open, seal } from "../../platform/secrets/seal";
import type { SecretKey } from "../../platform/secrets/secret-key";

/** The associated data a key is sealed with: a sealed key moved to another row does not open. */
export const sealingContext = (name: string) => `talos-credential:${name}`;

export const sealCredentialKey = (key: SecretKey, name: string, keyPem: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(seal(key, keyPem, sealingContext(name)));

export const openCredentialKey = (key: SecretKey, name: string, sealed: Uint8Array): string =>
  open(key, sealed, sealingContext(name)).toString("utf8");
