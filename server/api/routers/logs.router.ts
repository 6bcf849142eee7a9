// Live node logs (machines.stream, within the viewer's scope): the sources each machine has, and the
// follow subscription over server-sent events (docs/logs.md).
import { TRPCError } from "@trpc/server";
import { followLogs, followLogsSchema } from "../../features/logs/follow-logs";
import { logSources, logSourcesSchema } from "../../features/logs/log-sources";
import { installChunkTextEncoderStream } from "../../features/logs/text-encoder-stream";
import { AppError, trpcCodeOf } from "../../model/errors";
import { env } from "../../platform/env";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

// Every server-sent event passes through a TextEncoderStream; Node 20's is far too slow for live logs.
installChunkTextEncoderStream();

/** AppErrors thrown inside a subscription do not pass the procedure middleware: map them here. */
function asTrpcError(err: unknown): unknown {
  if (err instanceof AppError)
    return new TRPCError({ code: trpcCodeOf[err.code], message: err.userMessage, cause: err });
  return err;
}

export const logsRouter = router({
  sources: authorized("machines.stream")
    .input(logSourcesSchema)
    .query(({ ctx, input }) => logSources({ db: ctx.db, principal: ctx.principal, input })),

  /** Frames of lines, markers and states; resumes after `lastEventId` when the client reconnects. */
  follow: authorized("machines.stream")
    .input(followLogsSchema)
    .subscription(async function* ({ ctx, input, signal }) {
      const e = env();
      const deps = {
        db: ctx.db,
        principal: ctx.principal,
        log: ctx.log,
        clientAddress: ctx.clientAddress,
        limits: { perUser: e.MINOS_LOG_STREAMS_PER_USER, perInstance: e.MINOS_LOG_STREAMS_PER_INSTANCE },
      };
      try {
        yield* followLogs(deps, input, signal ?? new AbortController().signal);
      } catch (err) {
        throw asTrpcError(err);
      }
    }),
});
