"use client";
// Rollout locks as the machine and cluster pages and the machines list show them: a badge saying
// "locked: reason (by, when)", and for operators a card to lock with a reason or unlock.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Lock } from "lucide-react";
import { useState } from "react";
import type { LockTarget, LockView } from "@/server/features/inventory/locks";
import { untrusted } from "@/server/model/untrusted-text";
import { formatAgo, formatTime } from "./format";
import { useTRPC } from "./trpc";
import { Button, Card, Field, FormError } from "./ui";
import { Untrusted } from "./untrusted-text";
import { useMe } from "./use-me";

/** "locked: disk swap (by olivia, 3 h ago)"; "cluster locked: …" when the lock is on the cluster. */
export function LockBadge({ lock }: { lock: LockView }) {
  const label = lock.on === "cluster" ? "cluster locked" : "locked";
  return (
    <span
      title={`${label} against rollouts by ${untrusted(lock.by)} on ${formatTime(lock.at)}: ${untrusted(lock.reason)}`}
      className="inline-flex max-w-full items-center gap-1 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-inset ring-amber-600/30 dark:bg-amber-500/10 dark:text-amber-200"
    >
      <Lock aria-hidden className="size-3 shrink-0" />
      <span className="truncate">
        {label}: <Untrusted text={lock.reason} /> (by <Untrusted text={lock.by} />, {formatAgo(lock.at)})
      </span>
    </span>
  );
}

/**
 * The "Rollout lock" card: the locks that apply, and lock/unlock for those who may run rollouts.
 * `inherited` is a lock on the machine's cluster, shown but changed on the cluster's page.
 */
export function LockCard({
  target,
  lock,
  inherited,
}: {
  target: LockTarget;
  lock: LockView | null;
  inherited?: LockView | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may } = useMe();
  const [reason, setReason] = useState("");
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.machines.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
  };
  const lockIt = useMutation(
    trpc.rollouts.locks.lock.mutationOptions({
      onSuccess: () => {
        setReason("");
        refresh();
      },
    }),
  );
  const unlock = useMutation(trpc.rollouts.locks.unlock.mutationOptions({ onSuccess: refresh }));
  const what = target.kind === "machine" ? "this machine" : "this cluster's machines";
  return (
    <Card
      title="Rollout lock"
      description={`A lock keeps every rollout away from ${what}: new plans leave them out, and running rollouts skip them.`}
    >
      <div className="space-y-3 text-sm">
        {inherited ? (
          <p>
            <LockBadge lock={inherited} />{" "}
            <span className="text-zinc-500">(unlock it on the cluster's page)</span>
          </p>
        ) : null}
        {lock ? (
          <div className="space-y-2">
            <LockBadge lock={lock} />
            <p className="text-zinc-600 dark:text-zinc-400">
              Locked by <Untrusted text={lock.by} /> on {formatTime(lock.at)}:{" "}
              <Untrusted text={lock.reason} />
            </p>
            {may("rollouts.run") ? (
              <Button
                variant="secondary"
                disabled={unlock.isPending}
                onClick={() => unlock.mutate({ target })}
              >
                Unlock
              </Button>
            ) : null}
          </div>
        ) : !inherited ? (
          <p className="text-zinc-600 dark:text-zinc-400">Not locked: rollouts may include {what}.</p>
        ) : null}
        {!lock && may("rollouts.run") ? (
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              lockIt.mutate({ target, reason });
            }}
          >
            <Field
              label="Reason for a lock"
              placeholder="disk replacement until Friday"
              value={reason}
              maxLength={300}
              onChange={(e) => setReason(e.target.value)}
            />
            <Button type="submit" variant="secondary" disabled={lockIt.isPending}>
              <Lock aria-hidden className="size-3.5" /> Lock against rollouts
            </Button>
          </form>
        ) : null}
        <FormError error={lockIt.error ?? unlock.error} />
      </div>
    </Card>
  );
}
