// The one initTRPC of Minos. Errors: AppError keeps its user message; anything unexpected is
// logged with its request id and reaches the user only as a generic line with that reference.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { recordAudit } from "../../access/audit/record-audit";
import { AppError, trpcCodeOf, userMessageOf } from "../../model/errors";
import type { Permission } from "../../model/permissions";
import { actorOf, assertCan } from "../../model/principal";
import { metrics } from "../../platform/observability/metrics";
import type { Context } from "./context";

export interface ProcedureMeta {
  /** The permission a caller needs; procedures without one are refused. */
  permission?: Permission | "public";
  /** Mutations are audited automatically; false for those that write their own entries (sign-in). */
  audit?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // Dates and bigints survive the trip to the browser as themselves.
    transformer: superjson,
    // Live streams (logs, events) send a ping every 15 s so proxies do not cut a quiet stream, and the
    // browser's link reconnects (resuming from the last event id) when pings stop for 35 s.
    sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 35_000 } },
    errorFormatter({ shape, error, ctx }) {
      const zod = error.cause instanceof ZodError ? error.cause : null;
      const expected = error.cause instanceof AppError || error.code !== "INTERNAL_SERVER_ERROR";
      return {
        ...shape,
        message: zod
          ? `Invalid input: ${zod.issues.map((i) => `${i.path.join(".") || "input"} ${i.message}`).join("; ")}`
          : expected
            ? error.message
            : userMessageOf(error, ctx?.requestId),
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          requestId: ctx?.requestId,
          fieldErrors: zod
            ? Object.fromEntries(zod.issues.map((i) => [i.path.join("."), i.message]))
            : undefined,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** The tRPC error an AppError stands for, with its user message. */
const asTrpcError = (cause: AppError) =>
  new TRPCError({ code: trpcCodeOf[cause.code], message: cause.userMessage, cause });

/**
 * A subscription's stream, with an AppError thrown while it runs (after the middleware has returned)
 * turned into its tRPC error too: "not found" stays NOT_FOUND, never a generic server error.
 */
async function* mappedStream(source: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  try {
    yield* source;
  } catch (err) {
    throw err instanceof AppError ? asTrpcError(err) : err;
  }
}

const isStream = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === "object" && v !== null && Symbol.asyncIterator in v;

/** Times every call and turns AppError into the matching tRPC error with its user message. */
const observed = t.middleware(async ({ path, type, next, ctx }) => {
  const started = performance.now();
  let result = await next();
  if (result.ok && type === "subscription" && isStream(result.data)) {
    result = { ...result, data: mappedStream(result.data) };
  }
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      result = { ...result, error: asTrpcError(cause) };
    } else if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.log.error({ err: cause ?? result.error, path }, "procedure failed");
    }
  }
  const code = result.ok ? "OK" : result.error.code;
  const seconds = (performance.now() - started) / 1000;
  const m = metrics();
  m.trpcRequests.inc({ path, type, code });
  m.trpcDuration.observe({ path, type, code }, seconds);
  return result;
});

/**
 * The root of every procedure in Minos. Deny by default: a procedure that reaches here without a
 * declared permission is refused before its handler runs.
 */
export const procedure = t.procedure.use(observed).use(async ({ meta, ctx, path, type, next }) => {
  const audited = type === "mutation" && meta?.audit !== false;
  const record = (result: "ok" | "denied" | "error", details?: Record<string, unknown>) =>
    recordAudit(ctx.db, {
      actor: actorOf(ctx.principal),
      action: path,
      target: ctx.audit.target ?? null,
      address: ctx.clientAddress,
      result,
      details: { ...ctx.audit.details, ...details, via: ctx.authMethod },
    });
  if (!meta?.permission) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "This action declares no permission, so it is refused.",
    });
  }
  if (meta.permission !== "public") {
    try {
      assertCan(ctx.principal, meta.permission);
    } catch (err) {
      if (audited && ctx.principal) await record("denied", { needed: meta.permission });
      throw err;
    }
  }
  const result = await next();
  if (audited) {
    if (result.ok) await record("ok");
    else {
      const cause = result.error.cause;
      // A refusal (a rule such as four eyes, or a role) is "denied"; anything else that failed is "error".
      const refused =
        result.error.code === "FORBIDDEN" || (cause instanceof AppError && cause.code === "FORBIDDEN");
      await record(refused ? "denied" : "error", {
        error: cause instanceof AppError ? cause.userMessage : result.error.code,
      });
    }
  }
  return result;
});
