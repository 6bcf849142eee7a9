// The Minos server process: validates configuration, starts the embedded Postgres when no
// DATABASE_URL is set, applies migrations, then serves the Next.js app with request logs and
// metrics. SIGINT/SIGTERM stop everything cleanly, in reverse order.
import { randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import next from "next";
import { adoptAuditHead } from "./access/audit/adopt-audit-head";
import { pruneAudit } from "./access/audit/prune-audit";
import { ADMIN_PASSWORD_FILE, ensureFirstAdmin, forgetFirstPassword } from "./access/auth/ensure-first-admin";
import { pruneAttempts } from "./access/auth/login-failures";
import { createReadinessProbe, serveHealth } from "./api/http/health";
import { guardPage } from "./api/http/page-guard";
import { CLIENT_ADDRESS_HEADER } from "./api/trpc/context";
import { startCollector } from "./features/collector";
import { backfillFingerprints, pruneFingerprints } from "./features/drift/fingerprint-store";
import { pruneDriftHistory } from "./features/drift/prune-drift-history";
import { pruneEvents } from "./features/events/prune-events";
import { sweepStaleHealth } from "./features/health/stale-sweep";
import { RolloutReconciler } from "./features/rollouts/reconciler/reconciler";
import { webhookNotifier } from "./features/rollouts/webhook";
import { closeDb, db } from "./platform/db/client";
import { applyMigrations, MigrationError } from "./platform/db/migrate";
import { grantRuntimeRole, roleOf, rolePowers } from "./platform/db/runtime-role";
import { EnvError, env } from "./platform/env";
import { closeFleetChanges } from "./platform/fleet-changes";
import { refuseOversizedBody } from "./platform/http/body-limit";
import { setSecurityHeaders } from "./platform/http/security-headers";
import { logger } from "./platform/observability/logger";
import { metrics, routeGroup } from "./platform/observability/metrics";
import { DataDirLockedError, lockDataDir } from "./platform/runtime/data-dir-lock";
import { startEmbeddedPostgres } from "./platform/runtime/embedded-postgres";
import { EmbeddedPostgresError } from "./platform/runtime/embedded-postgres-error";
import { setInstanceSecretKey } from "./platform/secrets/instance-key";
import { loadSecretKey } from "./platform/secrets/secret-key";
import { startInventory } from "./startup/start-inventory";

type Cleanup = { name: string; run: () => Promise<unknown> };

/** What start-up has brought up, undone in reverse order on stop or on a failed start. */
const cleanups: Cleanup[] = [];
let stopping = false;

async function stop(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const log = logger();
  log.info({ reason }, "stopping Minos");
  for (const c of cleanups.reverse()) {
    try {
      await c.run();
    } catch (err) {
      log.error({ err, step: c.name }, "error while stopping");
    }
  }
  log.info("Minos stopped");
  process.exit(code);
}

async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  let config: ReturnType<typeof env>;
  try {
    config = env();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = logger();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void stop(signal, 0));
  }

  const release = await lockDataDir(config.dataDir);
  cleanups.push({ name: "data directory lock", run: release });

  let databaseUrl = config.DATABASE_URL;
  let migrationUrl = config.MINOS_MIGRATION_DATABASE_URL ?? databaseUrl;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.dataDir, log);
    cleanups.push({ name: "embedded postgres", run: pg.stop });
    databaseUrl = pg.appUrl;
    migrationUrl = pg.url;
    process.env.DATABASE_URL = databaseUrl;
  }

  const secretKey = await loadSecretKey({ envValue: config.MINOS_SECRET_KEY, dataDir: config.dataDir });
  setInstanceSecretKey(secretKey);
  if (secretKey.source === "data-directory" && config.DATABASE_URL) {
    log.warn(
      "MINOS_SECRET_KEY is not set: secrets are sealed with a key kept in the data directory. " +
        "Set MINOS_SECRET_KEY when several instances share one database.",
    );
  }

  const migrated = await applyMigrations(migrationUrl ?? databaseUrl);
  if (migrationUrl && migrationUrl !== databaseUrl) await grantRuntimeRole(migrationUrl, roleOf(databaseUrl));
  const powers = await rolePowers(databaseUrl);
  if (powers.superuser || powers.ownsAuditTrail) {
    log.warn(
      { role: powers.role },
      `Minos connects to the database as a role that ${powers.superuser ? "is a superuser" : "owns the tables"}: it could switch off the audit trail's protections. ` +
        "Run Minos as a role of its own and migrate with the owner's URL in MINOS_MIGRATION_DATABASE_URL (docs/operations.md).",
    );
  }
  log.info(
    { applied: migrated.applied },
    migrated.applied.length ? "migrations applied" : "database is up to date",
  );
  if (await adoptAuditHead(db(), secretKey, migrated.applied)) {
    log.info("signed the audit trail's head: removals from its end are detected from now on");
  }
  cleanups.push({ name: "database client", run: closeDb });
  // Opened by the first page that follows fleet changes (its own connection); closed before the pool.
  cleanups.push({ name: "fleet changes listener", run: closeFleetChanges });
  const passwordFile = path.join(config.dataDir, ADMIN_PASSWORD_FILE);
  if (await forgetFirstPassword(db(), passwordFile)) {
    log.info({ file: passwordFile }, "removed the first administrator password: it has been changed");
  }
  await ensureFirstAdmin(db(), {
    password: config.MINOS_ADMIN_PASSWORD,
    print: (lines) => console.log(`\n${lines.join("\n")}\n`),
    passwordFile,
  });

  const probe = createReadinessProbe(databaseUrl);
  cleanups.push({ name: "readiness probe", run: probe.close });

  const retentionDays = config.MINOS_AUDIT_RETENTION_DAYS;
  if (retentionDays) {
    const prune = () =>
      pruneAudit(db(), { olderThanDays: retentionDays })
        .then(
          (r) => r.removed && log.info({ removed: r.removed, retentionDays }, "old audit entries removed"),
        )
        .catch((err) => log.error({ err }, "audit retention failed"));
    await prune();
    const timer = setInterval(prune, 6 * 3_600_000);
    timer.unref();
    cleanups.push({ name: "audit retention", run: async () => clearInterval(timer) });
  }

  // Every instance, collecting or not: verdicts nobody keeps current turn "unknown" (never a stale "healthy").
  const sweep = () =>
    sweepStaleHealth(db())
      .then((r) => (r.machines || r.clusters) && log.warn(r, "health of uncollected machines set to unknown"))
      .catch((err) => log.error({ err }, "stale health sweep failed"));
  const sweepTimer = setInterval(sweep, 60_000);
  sweepTimer.unref();
  cleanups.push({ name: "stale health sweep", run: async () => clearInterval(sweepTimer) });

  // Machine events are kept MINOS_EVENT_RETENTION_DAYS (default 14); every instance prunes, harmlessly.
  const eventDays = config.MINOS_EVENT_RETENTION_DAYS;
  const pruneOldEvents = () =>
    pruneEvents(db(), { olderThanDays: eventDays })
      .then((r) => r.removed && log.info({ removed: r.removed, eventDays }, "old machine events removed"))
      .catch((err) => log.error({ err }, "event retention failed"));
  void pruneOldEvents();
  const eventTimer = setInterval(pruneOldEvents, 3_600_000);
  eventTimer.unref();
  cleanups.push({ name: "event retention", run: async () => clearInterval(eventTimer) });

  // Failed sign-ins untouched for a day are forgotten (their lockouts long over); every instance, harmlessly.
  const pruneLogins = () =>
    pruneAttempts(db()).catch((err) => log.error({ err }, "pruning failed sign-ins failed"));
  void pruneLogins();
  const loginTimer = setInterval(pruneLogins, 3_600_000);
  loginTimer.unref();
  cleanups.push({ name: "failed sign-in retention", run: async () => clearInterval(loginTimer) });

  // Drift history is kept MINOS_DRIFT_HISTORY_RETENTION_DAYS (default 90); every instance prunes, harmlessly.
  const driftDays = config.MINOS_DRIFT_HISTORY_RETENTION_DAYS;
  const pruneOldDrift = () =>
    pruneDriftHistory(db(), { olderThanDays: driftDays })
      .then((r) => r.removed && log.info({ removed: r.removed, driftDays }, "old drift history removed"))
      .then(() => pruneFingerprints(db()))
      .catch((err) => log.error({ err }, "drift history retention failed"));
  void pruneOldDrift();
  // readings stored before fingerprints existed get theirs now rather than in the first drift overview
  void backfillFingerprints(db())
    .then((n) => n && log.info({ readings: n }, "drift fingerprints computed for older readings"))
    .catch((err) => log.error({ err }, "drift fingerprint backfill failed"));
  const driftTimer = setInterval(pruneOldDrift, 3_600_000);
  driftTimer.unref();
  cleanups.push({ name: "drift history retention", run: async () => clearInterval(driftTimer) });

  const stopInventory = await startInventory({ db: db(), log, config });
  cleanups.push({ name: "inventory", run: stopInventory });

  if (config.MINOS_COLLECTOR) {
    // Talos machine state and health; several instances split the clusters through leases.
    const collector = startCollector({ db: db(), log });
    cleanups.push({ name: "collector", run: () => collector.stop() });
  }

  // Rollouts: every instance runs a reconciler; a lease per rollout lets one act on it at a time.
  const reconciler = new RolloutReconciler({
    db: db(),
    log,
    secretKey,
    notify: webhookNotifier(config.MINOS_ROLLOUT_WEBHOOK_URL, log),
  }).start();
  cleanups.push({ name: "rollout reconciler", run: () => reconciler.stop() });

  const app = next({ dev, hostname: config.HOST, port: config.PORT, dir: process.cwd() });
  const handle = app.getRequestHandler();
  await app.prepare();
  cleanups.push({ name: "next.js", run: () => app.close() });

  const { httpRequests, httpDuration } = metrics();
  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = (req.headers["x-request-id"] as string | undefined)?.slice(0, 64) || randomUUID();
    res.setHeader("x-request-id", requestId);
    const url = new URL(req.url ?? "/", "http://minos.invalid");
    // The peer address for the audit trail; a client can never set this header itself.
    req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
    setSecurityHeaders(res, dev);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = {
        method: req.method ?? "GET",
        route: routeGroup(url.pathname),
        status: String(res.statusCode),
      };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
      log.info(
        {
          requestId,
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          durationMs: +(seconds * 1000).toFixed(2),
        },
        "request",
      );
    });
    // Before anything reads the body (signed in or not): an oversized request costs only its headers.
    if (refuseOversizedBody(req, res, url.pathname)) return;
    serveHealth(req, res, url.pathname, probe, { metricsToken: config.MINOS_METRICS_TOKEN })
      .then(async (served) => {
        if (served || (await guardPage(req, res, url))) return;
        await handle(req, res);
      })
      .catch((err) => {
        log.error({ err, requestId }, "request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "internal error", requestId }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  cleanups.push({
    name: "http server",
    run: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  });
  log.info(
    {
      url: `http://${config.HOST}:${config.PORT}`,
      database: config.DATABASE_URL ? "external" : "embedded",
      dev,
    },
    `Minos is ready on http://${config.HOST}:${config.PORT}`,
  );
}

main().catch((err) => {
  if (
    err instanceof DataDirLockedError ||
    err instanceof MigrationError ||
    err instanceof EmbeddedPostgresError
  ) {
    console.error(`Minos could not start: ${err.message}`);
  } else {
    logger().fatal({ err }, "Minos could not start");
  }
  void stop("start-up failed", 1);
});
