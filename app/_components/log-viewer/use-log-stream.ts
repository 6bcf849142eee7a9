"use client";
// A live log stream of one or more machines from Minos (logs.follow over server-sent events), merged
// in time order. New entries are batched per animation frame: one React update per frame however many
// lines arrive. Reconnects by itself and resumes after the last frame received (docs/logs.md).
import { useSubscription } from "@trpc/tanstack-react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { unpackFrame } from "@/server/model/log-frame";
import type { LogEntry, MachineStreamState } from "../../../server/model/log-lines";
import { useTRPC } from "../trpc";
import { LogStreamBuffer } from "./log-stream-buffer";

export interface UseLogStreamOptions {
  machineIds: readonly string[];
  /** A log source the machines have (see useLogSources), or "kernel"; undefined = not yet chosen. */
  source: string | undefined;
  tailLines: number;
  follow: boolean;
  /** Entries held at most; the oldest are dropped beyond it (counted in droppedOldest). */
  cap?: number;
}

export interface LogStream {
  /** Merged in time order across machines; a new array at most once per animation frame. */
  entries: readonly LogEntry[];
  states: Map<string, MachineStreamState>;
  paused: boolean;
  setPaused(p: boolean): void;
  /** Entries received while paused, shown on resume. */
  buffered: number;
  /** Oldest entries dropped beyond the cap. */
  droppedOldest: number;
  clear(): void;
  /** Why the stream cannot run (limit reached, permission, no such machine), in words. */
  error: string | undefined;
}

export function useLogStream({
  machineIds,
  source,
  tailLines,
  follow,
  cap = 100_000,
}: UseLogStreamOptions): LogStream {
  const trpc = useTRPC();
  const key = `${machineIds.join(",")}|${source}|${tailLines}|${follow}|${cap}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new stream exactly when its key changes
  const buffer = useMemo(() => new LogStreamBuffer([...machineIds], cap), [key]);
  const [view, setView] = useState(() => ({
    entries: buffer.entries,
    states: new Map(buffer.states),
    buffered: 0,
    droppedOldest: 0,
    paused: false,
  }));
  const [error, setError] = useState<string | undefined>();
  const frame = useRef<number | undefined>(undefined);
  const statesChanged = useRef(false);
  const started = useRef(false);

  const publish = useCallback(() => {
    frame.current = undefined;
    const changed = buffer.flush();
    if (!changed && !statesChanged.current) return;
    const withStates = statesChanged.current;
    statesChanged.current = false;
    setView((v) => ({
      entries: buffer.entries,
      states: withStates ? new Map(buffer.states) : v.states,
      buffered: buffer.buffered,
      droppedOldest: buffer.droppedOldest,
      paused: buffer.paused,
    }));
  }, [buffer]);

  const schedule = useCallback(() => {
    if (frame.current === undefined) frame.current = requestAnimationFrame(publish);
  }, [publish]);

  // A new stream starts empty.
  useEffect(() => {
    started.current = false;
    setError(undefined);
    setView({
      entries: buffer.entries,
      states: new Map(),
      buffered: 0,
      droppedOldest: 0,
      paused: buffer.paused,
    });
    return () => {
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
      frame.current = undefined;
    };
  }, [buffer]);

  const enabled = machineIds.length > 0 && Boolean(source);
  useSubscription(
    trpc.logs.follow.subscriptionOptions(
      { machineIds: [...machineIds], source: source ?? "", tailLines, follow },
      {
        enabled,
        onStarted: () => {
          started.current = true;
        },
        onData: (tracked) => {
          if (buffer.ingest(unpackFrame(tracked.data))) statesChanged.current = true;
          schedule();
        },
        onError: (err) => setError(err.message),
        onConnectionStateChange: (s) => {
          if (s.state !== "connecting" || !started.current) return;
          // Lost the connection to Minos: the link reconnects by itself and resumes after the last frame.
          for (const id of machineIds)
            buffer.setState({
              machineId: id,
              status: "connecting",
              message: "connection to Minos lost; reconnecting…",
            });
          statesChanged.current = true;
          schedule();
        },
      },
    ),
  );

  const setPaused = useCallback(
    (p: boolean) => {
      buffer.paused = p;
      statesChanged.current = true;
      if (p) setView((v) => ({ ...v, paused: true }));
      schedule();
    },
    [buffer, schedule],
  );

  const clear = useCallback(() => {
    buffer.clear();
    setView((v) => ({ ...v, entries: buffer.entries, buffered: 0, droppedOldest: 0 }));
  }, [buffer]);

  return {
    entries: view.entries,
    states: view.states,
    paused: view.paused,
    setPaused,
    buffered: view.buffered,
    droppedOldest: view.droppedOldest,
    clear,
    error,
  };
}
