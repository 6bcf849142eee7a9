"use client";
// Acknowledge one drift item: a reason and how long it is accepted (audited on the server).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../../_components/trpc";
import { Button, FormError } from "../../../../_components/ui";

export function AcknowledgeForm({
  machineId,
  field,
  onDone,
}: {
  machineId: string;
  field: string;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const [days, setDays] = useState(7);
  const ack = useMutation(
    trpc.drift.acknowledge.mutationOptions({
      onSuccess: async () => {
        await client.invalidateQueries({ queryKey: trpc.drift.pathKey() });
        onDone();
      },
    }),
  );
  return (
    <form
      className="mt-2 space-y-2 rounded-md border border-zinc-200 p-2 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        ack.mutate({ machineId, field, reason, expiresAt: new Date(Date.now() + days * 86_400_000) });
      }}
    >
      <label className="block text-xs font-medium">
        Reason
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          minLength={3}
          maxLength={500}
          className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950"
        />
      </label>
      <label className="block text-xs font-medium">
        For (days)
        <input
          type="number"
          min={1}
          max={365}
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
          className="mt-1 block w-24 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950"
        />
      </label>
      <FormError error={ack.error} />
      <div className="flex gap-2">
        <Button type="submit" disabled={ack.isPending}>
          Acknowledge
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
