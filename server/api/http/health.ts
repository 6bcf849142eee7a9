// Health endpoints for load balancers and orchestrators, served before Next.js:
// /api/healthz (the process is up), /api/readyz (database reachable and migrated), and /api/metrics for
// Prometheus, only with the bearer token MINOS_METRICS_TOKEN (what the fleet looks like is not public).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import pg from "pg";
import { pendingMigrations } from "../../platform/db/migrate";
import { metrics } from "../../platform/observability/metrics";

const startedAt = Date.now();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export interface ReadinessProbe {
  check(): Promise<{ ready: boolean; problems: string[]; pendingMigrations: string[] }>;
  close(): Promise<void>;
}

/** Checks the database on a small pool of its own, so a busy app pool cannot make it lie. */
export function createReadinessProbe(databaseUrl: string): ReadinessProbe {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 2_000 });
  pool.on("error", () => {});
  return {
    async check() {
      try {
        await pool.query("SELECT 1");
      } catch (err) {
        return {
          ready: false,
          problems: [`database unreachable: ${(err as Error).message}`],
          pendingMigrations: [],
        };
      }
      const pending = await pendingMigrations(pool);
      const problems = pending.length > 0 ? [`${pending.length} migration(s) not applied`] : [];
      return { ready: problems.length === 0, problems, pendingMigrations: pending };
    },
    close: () => pool.end(),
  };
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether the request carries the metrics token (compared in constant time). */
function mayScrape(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "");
  return m !== null && timingSafeEqual(digest(m[1] as string), digest(token));
}

/** Serves the request if it is a health endpoint; returns false to let Next.js handle it. */
export async function serveHealth(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  probe: ReadinessProbe,
  opts: { metricsToken?: string | undefined } = {},
): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  switch (pathname) {
    case "/api/healthz":
      sendJson(res, 200, { status: "ok", uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
      return true;
    case "/api/readyz": {
      const r = await probe.check();
      sendJson(res, r.ready ? 200 : 503, {
        status: r.ready ? "ready" : "not ready",
        database: r.problems.some((p) => p.startsWith("database")) ? "unreachable" : "ok",
        pendingMigrations: r.pendingMigrations,
        problems: r.problems,
      });
      return true;
    }
    case "/api/metrics": {
      if (!opts.metricsToken) {
        sendJson(res, 403, {
          error: "Metrics are off. Set MINOS_METRICS_TOKEN and scrape with it as a bearer token.",
        });
        return true;
      }
      if (!mayScrape(req, opts.metricsToken)) {
        res.setHeader("www-authenticate", 'Bearer realm="minos metrics"');
        sendJson(res, 401, { error: "Send the metrics token: Authorization: Bearer <MINOS_METRICS_TOKEN>." });
        return true;
      }
      const { registry } = metrics();
      res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      res.end(await registry.metrics());
      return true;
    }
    default:
      return false;
  }
}
