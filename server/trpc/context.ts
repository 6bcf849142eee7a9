// What every tRPC procedure receives: the database, a request-scoped logger, and who is asking.
import type { Logger } from "pino";
import { db, type PrismaClient } from "../db/client";
import { logger } from "../observability/logger";

export interface Context {
  db: PrismaClient;
  log: Logger;
  requestId: string;
  /** The client's address, for the audit trail. */
  clientAddress: string | null;
}

/** Builds a context without Next.js, for tests and scripts (createCaller). */
export function createContextInner(opts: Partial<Context> & { db: PrismaClient }): Context {
  const requestId = opts.requestId ?? crypto.randomUUID();
  return {
    db: opts.db,
    log: opts.log ?? logger().child({ requestId }),
    requestId,
    clientAddress: opts.clientAddress ?? null,
  };
}

export function createContext(opts: { req: Request }): Context {
  const requestId = opts.req.headers.get("x-request-id") ?? crypto.randomUUID();
  const forwarded = opts.req.headers.get("x-forwarded-for");
  return createContextInner({
    db: db(),
    requestId,
    clientAddress: forwarded?.split(",")[0]?.trim() || null,
  });
}
