// The collector in its own process, for the rollout benchmark: the benchmark process then holds the rollout
// reconciler alone, so its CPU time is the reconciler's. Reads DATABASE_URL, BENCH_DATA_DIR (where the secret
// key is) and BENCH_COLLECTOR_OPTIONS (JSON: collector options such as reconcileMs); prints
// `COLLECTOR_READY {"instanceId":…}` once started and stops cleanly on SIGTERM.
import pino from "pino";
import { startCollector } from "../../server/features/collector";
import type { CollectorOptions } from "../../server/features/collector/options";
import { createDb } from "../../server/platform/db/client";
import { loadSecretKey } from "../../server/platform/secrets/secret-key";

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!url || !dataDir) throw new Error("set DATABASE_URL and BENCH_DATA_DIR");
  const options = JSON.parse(process.env.BENCH_COLLECTOR_OPTIONS ?? "{}") as Partial<CollectorOptions>;
  const db = createDb(url);
  const secretKey = await loadSecretKey({ dataDir });
  const collector = startCollector({
    ...options,
    db,
    log: pino({ level: process.env.LOG_LEVEL ?? "warn" }),
    secretKey,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref(); // the database may be gone already
    await collector.stop();
    await db.$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  // The benchmark that started this process is gone (killed without a chance to stop it): stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop();
  }, 1_000).unref();
  console.log(`COLLECTOR_READY ${JSON.stringify({ instanceId: collector.instanceId })}`);
}

main().catch((err: unknown) => {
  console.error(`collector process: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
