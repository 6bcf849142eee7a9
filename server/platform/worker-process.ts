// A process that runs one of Minos's workers (the collector, the rollout reconciler) against DATABASE_URL
// with no web server: for the multi-process tests, and to run that work apart from the UI. It prints
// `<TAG> {"instanceId","pid"}` once started, and stops the worker cleanly on SIGTERM or SIGINT.
import pino, { type Logger } from "pino";
import { createDb, type PrismaClient } from "./db/client";
import { loadSecretKey, type SecretKey } from "./secrets/secret-key";

export interface Worker {
  instanceId: string;
  stop(): Promise<void>;
}

/** A timing from the environment in milliseconds (tests shorten them); undefined when unset. */
export function envMs(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} must be a positive number of milliseconds (got "${v}")`);
  return n;
}

/** The given timings without those left unset, to spread over a worker's defaults. */
export function setTimings<T extends Record<string, number | undefined>>(timings: T): Partial<T> {
  return Object.fromEntries(Object.entries(timings).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function runWorkerProcess(
  readyTag: string,
  start: (deps: { db: PrismaClient; log: Logger; secretKey: SecretKey }) => Worker,
): void {
  const main = async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    const db = createDb(url);
    const secretKey = await loadSecretKey({
      ...(process.env.MINOS_SECRET_KEY ? { envValue: process.env.MINOS_SECRET_KEY } : {}),
      dataDir: process.env.MINOS_DATA_DIR ?? "./.minos",
    });
    const log = pino({ level: process.env.LOG_LEVEL ?? "info" });
    const worker = start({ db, log, secretKey });
    console.log(`${readyTag} ${JSON.stringify({ instanceId: worker.instanceId, pid: process.pid })}`);
    const stop = async () => {
      await worker.stop();
      await db.$disconnect();
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop());
    process.on("SIGINT", () => void stop());
  };
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
