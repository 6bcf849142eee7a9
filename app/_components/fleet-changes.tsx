"use client";
// Fleet changes in the browser: one subscription per signed-in tab (fleet.changes, over server-sent
// events) while the tab is visible. On each tick the live fleet views on screen (fleet.*, clusters.*,
// machines.*) refetch; those not on screen are marked stale and refetch when shown again. A hidden tab
// lets its connection go (browsers allow 6 per server over HTTP/1.1, and background tabs would hold
// them all) and catches up when shown again. The link reconnects by itself after a server restart and
// the views refetch then (ticks may have been missed); while the subscription is down, the views'
// slower polling keeps them current.
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
import { useTRPC } from "./trpc";

/** After the subscription failed for good (not a dropped connection, which the link retries). */
const RESUBSCRIBE_MS = 10_000;

type Filter = Parameters<QueryClient["invalidateQueries"]>[0];

/** Refetches the active queries under `filters`; one in flight when the tick came is refetched after it. */
async function refetchLive(queryClient: QueryClient, filters: Filter[]): Promise<void> {
  // An answer on its way may have been read before the change: wait for it, then ask again. Not
  // cancelled: at one tick a second, a slow list cancelled each time would never arrive.
  const inFlight = filters.some((f) => queryClient.isFetching(f) > 0);
  const once = () =>
    Promise.all(filters.map((f) => queryClient.invalidateQueries(f, { cancelRefetch: false })));
  await once();
  if (inFlight) await once();
}

function onVisibilityChange(notify: () => void): () => void {
  document.addEventListener("visibilitychange", notify);
  return () => document.removeEventListener("visibilitychange", notify);
}

const useTabVisible = () =>
  useSyncExternalStore(
    onVisibilityChange,
    () => document.visibilityState === "visible",
    () => false,
  );

export function FleetChanges() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const visible = useTabVisible();
  const started = useRef(false);

  const refetch = useCallback(() => {
    void refetchLive(queryClient, [
      trpc.fleet.pathFilter(),
      trpc.clusters.pathFilter(),
      trpc.machines.pathFilter(),
    ]).catch(() => {});
  }, [queryClient, trpc]);

  const subscription = useSubscription(
    trpc.fleet.changes.subscriptionOptions(undefined, {
      enabled: visible,
      onData: refetch,
      // Every start but the first (a reconnect, the tab shown again): ticks sent meanwhile were missed.
      onStarted: () => {
        if (started.current) refetch();
        started.current = true;
      },
    }),
  );

  const { status, error, reset } = subscription;
  useEffect(() => {
    if (status !== "error" || error?.data?.code === "UNAUTHORIZED") return;
    const t = setTimeout(reset, RESUBSCRIBE_MS);
    return () => clearTimeout(t);
  }, [status, error, reset]);

  return null;
}
