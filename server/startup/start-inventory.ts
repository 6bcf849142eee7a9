// Brings the inventory up at start: the fleet in MINOS_TALOSCONFIG, the demo fleet when the
// inventory is empty, and continuous discovery of machines joining and leaving.
import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import { readTalosconfig } from "../features/credentials/read-talosconfig";
import { startDemoFleet } from "../features/demo/demo-fleet";
import { startDiscovery } from "../features/inventory/discovery-loop";
import { importFleet } from "../features/inventory/import-fleet";
import type { PrismaClient } from "../platform/db/client";
import type { Env } from "../platform/env";

async function importConfiguredFleet(db: PrismaClient, file: string, log: Logger): Promise<void> {
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new Error(`MINOS_TALOSCONFIG names ${file}, which cannot be read: ${err.code ?? err.message}`);
  });
  const names = readTalosconfig(text).map((c) => c.name);
  const known = await db.cluster.count({ where: { name: { in: names } } });
  if (known === names.length) return;
  const imported = await importFleet(db, { talosconfig: text });
  log.info({ clusters: imported }, "imported the fleet of MINOS_TALOSCONFIG");
}

export async function startInventory(opts: {
  db: PrismaClient;
  log: Logger;
  config: Env;
}): Promise<() => Promise<void>> {
  const { db, log, config } = opts;
  if (config.MINOS_TALOSCONFIG) await importConfiguredFleet(db, config.MINOS_TALOSCONFIG, log);
  const sim = config.MINOS_DEMO === "1" ? await startDemoFleet(db, { dataDir: config.dataDir, log }) : null;
  const stopDiscovery = startDiscovery(db, log);
  return async () => {
    await stopDiscovery();
    await sim?.stop();
  };
}
