// Guards a data directory against two Minos processes at once (which would corrupt the embedded
// Postgres): a lock that a crashed process leaves stale and the next start takes over.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(dataDir: string) {
    super(
      `Another Minos is already running with the data directory ${dataDir}. Stop it first, or start this ` +
        "one with another MINOS_DATA_DIR (or with DATABASE_URL pointing at a shared Postgres).",
    );
  }
}

/** Takes the lock; returns the function that releases it. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, "minos.lock"),
      stale: 15_000,
      update: 5_000,
      retries: 0,
      onCompromised: (err) => {
        // Someone removed or took over our lock while we run: stopping is the only safe move.
        console.error(`Lost the lock on ${dataDir}: ${err.message}. Stopping to protect the data.`);
        process.kill(process.pid, "SIGTERM");
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOCKED") throw new DataDirLockedError(dataDir);
    throw err;
  }
}
