// The one initTRPC of Minos. Errors: AppError keeps its user message; anything unexpected is
// logged with its request id and reaches the user only as a generic line with that reference.
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Permission } from "../auth/permissions";
import { AppError, trpcCodeOf, userMessageOf } from "../errors";
import { metrics } from "../observability/metrics";
import type { Context } from "./context";

export interface ProcedureMeta {
  /** The permission a caller needs; procedures without one are refused. */
  permission?: Permission | "public";
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
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

/** Times every call and turns AppError into the matching tRPC error with its user message. */
const observed = t.middleware(async ({ path, type, next, ctx }) => {
  const started = performance.now();
  let result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      result = {
        ...result,
        error: new TRPCError({ code: trpcCodeOf[cause.code], message: cause.userMessage, cause }),
      };
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
export const procedure = t.procedure.use(observed).use(({ meta, next }) => {
  if (!meta?.permission) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "This action declares no permission, so it is refused.",
    });
  }
  // Sign-in and roles arrive with the identity work (issue 4): this is where the caller's roles
  // and scope are checked against meta.permission.
  return next();
});
