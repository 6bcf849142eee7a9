// logs.follow: the live log of one or more machines, merged by the browser in time order. Checks
// scope and stream limits, audits the opening, holds one node stream per machine and hands the
// connection frames from a bounded buffer. When the connection goes, every node stream is cancelled.
import { type TrackedEnvelope, tracked } from "@trpc/server";
import type { Logger } from "pino";
import { z } from "zod";
import { recordAudit } from "../../access/audit/record-audit";
import { type PackedFrame, packFrame } from "../../model/log-frame";
import { actorOf, type Principal, scopesFor } from "../../model/principal";
import type { PrismaClient } from "../../platform/db/client";
import type { TalosClient } from "../../talos";
import { sharedClusterClients } from "../credentials/cluster-clients";
import { DEFAULT_SESSION_LIMITS, LogSession, type SessionLimits } from "./log-session";
import { runMachineStream } from "./machine-stream";
import { decodeResumeId, encodeResumeId } from "./resume-id";
import { reserveStreams, type StreamLimits } from "./stream-limits";
import { type VisibleMachine, visibleMachines } from "./visible-machines";

/** A log id as Talos names them (service or container), or "kernel". */
export const logSourceSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, "must be a log source name such as kubelet, or kernel");

export const followLogsSchema = z.object({
  machineIds: z.array(z.uuid()).min(1).max(16),
  source: logSourceSchema,
  tailLines: z.number().int().min(0).max(10_000).default(500),
  follow: z.boolean().default(true),
  /** Set by the client when it reconnects: the id of the last frame it received. */
  lastEventId: z.string().max(1_000).nullish(),
});

export type FollowLogsInput = z.infer<typeof followLogsSchema>;

export interface FollowLogsDeps {
  db: PrismaClient;
  principal: Principal;
  log: Logger;
  clientAddress: string | null;
  limits: StreamLimits;
  session?: SessionLimits;
  /** Opens a cluster's Talos client (default: its read credential through the shared pool). */
  clientFor?: (cluster: string) => Promise<TalosClient>;
}

export async function* followLogs(
  deps: FollowLogsDeps,
  input: FollowLogsInput,
  signal: AbortSignal,
): AsyncGenerator<TrackedEnvelope<PackedFrame>> {
  const { db, principal } = deps;
  const ids = [...new Set(input.machineIds)];
  const machines = await visibleMachines({ db, scopes: scopesFor(principal, "machines.stream"), ids });
  const anchors = decodeResumeId(input.lastEventId, machines.length);
  const audit = (result: "ok" | "denied", extra: Record<string, unknown> = {}) =>
    recordAudit(db, {
      actor: actorOf(principal),
      action: "logs.follow",
      target: machines.map((m) => `machine:${m.id}`).join(","),
      address: deps.clientAddress,
      result,
      details: {
        machines: machines.map((m) => ({ id: m.id, hostname: m.hostname, cluster: m.cluster })),
        source: input.source,
        tailLines: input.tailLines,
        follow: input.follow,
        ...(input.lastEventId ? { resumed: true } : {}),
        ...extra,
      },
    });
  let release: () => void;
  try {
    release = reserveStreams(principal.userId, input.follow ? machines.length : 0, deps.limits);
  } catch (err) {
    await audit("denied", { reason: "stream limit reached" });
    throw err;
  }
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener("abort", stop, { once: true });
  if (signal.aborted) inner.abort(); // the viewer left while the checks above ran
  try {
    // The entry is written while the node streams open; nothing reaches the viewer before it is stored.
    const audited = audit("ok");
    audited.catch(() => inner.abort());
    const session = new LogSession(
      machines.map((m) => m.id),
      deps.session ?? DEFAULT_SESSION_LIMITS,
    );
    const clients = new Map<string, Promise<TalosClient>>();
    const clientFor = deps.clientFor ?? ((cluster: string) => sharedClusterClients(db).get(cluster, "read"));
    const clientOf = (cluster: string) => {
      let c = clients.get(cluster);
      if (!c) {
        c = clientFor(cluster);
        c.catch(() => clients.delete(cluster));
        clients.set(cluster, c);
      }
      return c;
    };
    const readers = machines.map((m: VisibleMachine, index) =>
      runMachineStream({
        target: { index, id: m.id, hostname: m.hostname, address: m.address },
        source: input.source,
        tailLines: input.tailLines,
        follow: input.follow,
        session,
        signal: inner.signal,
        client: () => clientOf(m.cluster),
        stage: async () =>
          (await db.machine.findUnique({ where: { id: m.id }, select: { stage: true } }))?.stage,
        ...(anchors?.[index] ? { anchor: anchors[index] } : {}),
      }).catch((err) => {
        deps.log.error({ err, machine: m.id }, "log stream reader failed");
        session.setState(index, "failed", "the stream failed unexpectedly; open the view again");
      }),
    );
    await audited;
    let frames = 0;
    for (;;) {
      const frame = await session.next(inner.signal);
      if (!frame) break;
      frames++;
      yield tracked(encodeResumeId(frames, session.anchors()), packFrame(frame));
    }
    inner.abort();
    await Promise.all(readers);
  } finally {
    signal.removeEventListener("abort", stop);
    inner.abort();
    release();
  }
}
