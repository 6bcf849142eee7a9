// The node event stream with tail options; resolves `ready` on the hello event so actions can follow it safely.

import { MachineServiceService } from "@/proto/generated/machine/machine";
import { onAbort } from "../abort";
import { AsyncQueue } from "../async-queue";
import { decodeEvent, type TalosEvent } from "../event-decoder";
import type { CallTarget, NodeCaller } from "../node-call";

export interface EventsOptions extends CallTarget {
  /** Last N events of history; -1 for all (about 990 kept). Exclusive with tailId and tailSeconds. */
  tailEvents?: number;
  /** Only events after this event id. */
  tailId?: string;
  /** Events of the last N seconds. */
  tailSeconds?: number;
  /** Only events of this actor (e.g. the actor id an upgrade returned). */
  actorId?: string;
}

export interface EventStream extends AsyncIterable<TalosEvent> {
  /** Resolves once Talos sent its hello event: from then on no event is missed. Rejects if the stream fails first. */
  ready: Promise<void>;
  /** Stops the stream (same as aborting opts.signal). */
  close(): void;
}

function eventsRequest(opts: Omit<EventsOptions, "node">) {
  return {
    tailEvents: opts.tailEvents ?? 0,
    tailId: opts.tailId ?? "",
    tailSeconds: opts.tailSeconds ?? 0,
    withActorId: opts.actorId ?? "",
  };
}

/**
 * Opens an Events stream and reads it in the background; iterate it for events (the hello is consumed, not
 * yielded). The stream ends on close(), when opts.signal aborts, or with a TalosError when the connection drops.
 */
export function events(caller: NodeCaller, opts: EventsOptions): EventStream {
  const spec = { operation: "Watching events" };
  const request = eventsRequest(opts);
  const controller = new AbortController();
  const forget = onAbort(opts.signal, () => controller.abort());
  let markReady: () => void = () => {};
  let failReady: (err: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {}); // observed through iteration as well
  const queue = new AsyncQueue<TalosEvent>();

  void (async () => {
    try {
      const source = caller.stream(MachineServiceService.events, request, spec, {
        ...opts,
        signal: controller.signal,
      });
      for await (const message of source) {
        if (message.metadata?.error)
          throw caller.nodeError(MachineServiceService.events, spec, message.metadata);
        const event = decodeEvent(message);
        markReady();
        if (event.payload.type !== "hello") queue.push(event);
      }
      failReady(new Error("the event stream ended before Talos said hello"));
      queue.end();
    } catch (err) {
      failReady(err);
      if (controller.signal.aborted) queue.end();
      else queue.fail(err);
    } finally {
      forget();
    }
  })();

  return {
    ready,
    close: () => controller.abort(),
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
