// Runs only the rollout reconciler against DATABASE_URL (no web server): for the multi-process
// takeover tests, and to drive rollouts apart from the UI. Announcements go to
// MINOS_ROLLOUT_WEBHOOK_URL as in the server; MINOS_ROLLOUT_LEASE_MS, _PASS_MS, _FOLLOW_MS and
// _SETTLE_MS shorten the timings so tests run in seconds. Logs are JSON lines on stdout.
import pino from "pino";
import { createDb } from "../../platform/db/client";
import { loadSecretKey } from "../../platform/secrets/secret-key";
import { RolloutReconciler } from "./reconciler/reconciler";
import { webhookNotifier } from "./webhook";

const number = (name: string) => {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} must be a positive number of milliseconds (got "${v}")`);
  return n;
};

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const db = createDb(url);
  const secretKey = await loadSecretKey({
    ...(process.env.MINOS_SECRET_KEY ? { envValue: process.env.MINOS_SECRET_KEY } : {}),
    dataDir: process.env.MINOS_DATA_DIR ?? "./.minos",
  });
  const log = pino({ level: process.env.LOG_LEVEL ?? "info" });
  const timings = {
    leaseMs: number("MINOS_ROLLOUT_LEASE_MS"),
    passMs: number("MINOS_ROLLOUT_PASS_MS"),
    followMs: number("MINOS_ROLLOUT_FOLLOW_MS"),
    settleMs: number("MINOS_ROLLOUT_SETTLE_MS"),
  };
  const reconciler = new RolloutReconciler({
    db,
    log,
    secretKey,
    notify: webhookNotifier(process.env.MINOS_ROLLOUT_WEBHOOK_URL || undefined, log),
    ...Object.fromEntries(Object.entries(timings).filter(([, v]) => v !== undefined)),
  }).start();
  console.log(
    `ROLLOUT_RECONCILER_READY ${JSON.stringify({ instanceId: reconciler.instanceId, pid: process.pid })}`,
  );
  const stop = async () => {
    await reconciler.stop();
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
