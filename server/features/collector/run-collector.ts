// Runs only the collector against DATABASE_URL (no web server): for the multi-process takeover test and
// for running collection apart from the UI. Lease timings come from the environment so tests run in seconds.
import pino from "pino";
import { createDb } from "../../platform/db/client";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { startCollector } from "./collector";

const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const db = createDb(url);
  const secretKey = await loadSecretKey({
    ...(process.env.MINOS_SECRET_KEY ? { envValue: process.env.MINOS_SECRET_KEY } : {}),
    dataDir: process.env.MINOS_DATA_DIR ?? "./.minos",
  });
  const log = pino({ level: process.env.LOG_LEVEL ?? "info" });
  const collector = startCollector({
    db,
    log,
    secretKey,
    ...(number("MINOS_COLLECTOR_LEASE_MS") ? { leaseMs: number("MINOS_COLLECTOR_LEASE_MS") } : {}),
    ...(number("MINOS_COLLECTOR_RECONCILE_MS")
      ? { reconcileMs: number("MINOS_COLLECTOR_RECONCILE_MS") }
      : {}),
  });
  console.log(`COLLECTOR_READY ${JSON.stringify({ instanceId: collector.instanceId, pid: process.pid })}`);
  const stop = async () => {
    await collector.stop();
    await db.$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
