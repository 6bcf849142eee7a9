// Prometheus metrics (prom-client). The registry lives on globalThis so the custom server and the
// Next.js bundle, which load separate copies of this module, record into the same registry.
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

const KEY = Symbol.for("minos.metrics");

interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route" | "status">;
  trpcRequests: Counter<"path" | "type" | "code">;
  trpcDuration: Histogram<"path" | "type" | "code">;
}

type Holder = { [KEY]?: Metrics };

const buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function create(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "minos_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "minos_http_requests_total",
      help: "HTTP requests served, by method, route group and status code.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "minos_http_request_duration_seconds",
      help: "HTTP request duration in seconds, by method, route group and status code.",
      labelNames: ["method", "route", "status"],
      buckets,
      registers: [registry],
    }),
    trpcRequests: new Counter({
      name: "minos_trpc_requests_total",
      help: "tRPC procedure calls, by procedure path, type and result code.",
      labelNames: ["path", "type", "code"],
      registers: [registry],
    }),
    trpcDuration: new Histogram({
      name: "minos_trpc_request_duration_seconds",
      help: "tRPC procedure duration in seconds, by procedure path, type and result code.",
      labelNames: ["path", "type", "code"],
      buckets,
      registers: [registry],
    }),
  };
}

export function metrics(): Metrics {
  const holder = globalThis as Holder;
  holder[KEY] ??= create();
  return holder[KEY];
}

/** Groups a URL path into a bounded label value so metric cardinality stays small. */
/** The API routes Minos serves, each one label; any other /api/ path is "/api/other" (not a series each). */
const API_ROUTES = [
  "/api/healthz",
  "/api/readyz",
  "/api/metrics",
  "/api/audit/export",
  "/api/auth/oidc/login",
  "/api/auth/oidc/callback",
];

export function routeGroup(pathname: string): string {
  if (pathname.startsWith("/api/trpc/")) return "/api/trpc";
  if (pathname.startsWith("/api/")) return API_ROUTES.includes(pathname) ? pathname : "/api/other";
  if (pathname.startsWith("/_next/")) return "/_next";
  return "page";
}
