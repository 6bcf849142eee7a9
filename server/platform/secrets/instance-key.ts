// The secret key this process loaded at start-up, shared through globalThis by the custom server
// and the Next.js bundle (which has its own copy of every module), as server/platform/db/client.ts does.
import type { SecretKey } from "./secret-key";

const KEY = Symbol.for("minos.secretKey");
type Holder = { [KEY]?: SecretKey };

/** Called once by server/main.ts after loadSecretKey; tests call it with a key of their own. */
export function setInstanceSecretKey(key: SecretKey): void {
  (globalThis as Holder)[KEY] = key;
}

/** The process's secret key; throws when start-up did not load one. */
export function instanceSecretKey(): SecretKey {
  const key = (globalThis as Holder)[KEY];
  if (!key) {
    throw new Error("The secret key was not loaded: Minos must be started through server/main.ts.");
  }
  return key;
}
