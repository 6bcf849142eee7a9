// What every tRPC procedure receives: the database, a request-scoped logger, who is asking (and
// how they proved it), and a note the handler fills for the audit entry of a mutation.

import type { Logger } from "pino";
import { type AuthMethod, principalFromRequest } from "../../access/auth/request-principal";
import type { Principal } from "../../model/principal";
import { db, type PrismaClient } from "../../platform/db/client";
import { requestIsHttps } from "../../platform/http/forwarded";
import { logger } from "../../platform/observability/logger";

/** Header the Minos server sets from the connection's peer address (never taken from clients). */
export const CLIENT_ADDRESS_HEADER = "x-minos-client-address";

export interface AuditNote {
  target?: string;
  details?: Record<string, unknown>;
}

export interface Context {
  db: PrismaClient;
  log: Logger;
  requestId: string;
  principal: Principal | null;
  authMethod: AuthMethod;
  /** The client's address, for the audit trail. */
  clientAddress: string | null;
  userAgent: string | null;
  /** Whether the request reached Minos over HTTPS (for Secure cookies). */
  secure: boolean;
  /** Response headers a procedure may add to (Set-Cookie). */
  resHeaders: Headers;
  audit: AuditNote;
}

/** Builds a context without Next.js, for tests and scripts (createCaller). */
export function createContextInner(opts: Partial<Context> & { db: PrismaClient }): Context {
  const requestId = opts.requestId ?? crypto.randomUUID();
  return {
    db: opts.db,
    log: opts.log ?? logger().child({ requestId }),
    requestId,
    principal: opts.principal ?? null,
    authMethod: opts.authMethod ?? (opts.principal ? "session" : "none"),
    clientAddress: opts.clientAddress ?? null,
    userAgent: opts.userAgent ?? null,
    secure: opts.secure ?? false,
    resHeaders: opts.resHeaders ?? new Headers(),
    audit: {},
  };
}

export async function createContext(opts: { req: Request; resHeaders: Headers }): Promise<Context> {
  const h = opts.req.headers;
  const database = db();
  const { principal, method } = await principalFromRequest(database, {
    authorization: h.get("authorization"),
    cookie: h.get("cookie"),
  });
  return createContextInner({
    db: database,
    requestId: h.get("x-request-id") ?? crypto.randomUUID(),
    principal,
    authMethod: method,
    clientAddress: h.get(CLIENT_ADDRESS_HEADER),
    userAgent: h.get("user-agent"),
    secure: requestIsHttps(opts.req),
    resHeaders: opts.resHeaders,
  });
}
