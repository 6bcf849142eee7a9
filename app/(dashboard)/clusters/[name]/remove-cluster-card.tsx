"use client";
// Removing a cluster (administrators only): says what goes and what stays, and asks for the cluster's
// name typed out before it removes anything, as deleting a repository does on GitHub.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../_components/trpc";
import { Button, Card, Field, FormError } from "../../../_components/ui";
import { useMe } from "../../../_components/use-me";

export function RemoveClusterCard({
  name,
  machines,
  onRemoved,
}: {
  name: string;
  machines: number;
  onRemoved: (removed: { clusters: string[]; machines: number }) => void;
}) {
  const { may } = useMe();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const remove = useMutation(
    trpc.clusters.remove.mutationOptions({
      onSuccess: (r) => {
        onRemoved(r);
        void queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.machines.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.fleet.pathKey() });
      },
    }),
  );
  if (!may("admin.manage")) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed === name) remove.mutate({ name });
  };
  return (
    <Card
      title="Remove cluster"
      description="For a cluster that is gone or that Minos should no longer watch. Its history stays; importing its talosconfig again brings it back."
    >
      {open ? (
        <form
          onSubmit={submit}
          aria-label={`Remove ${name}`}
          className="space-y-3 rounded-md border border-red-200 p-3 dark:border-red-900"
        >
          <p className="text-sm">
            <span className="font-medium">{name}</span> and its {machines}{" "}
            {machines === 1 ? "machine" : "machines"} leave the inventory: Minos stops collecting them, they
            disappear from lists, counts and pickers, and no rollout can plan them. Their health history,
            events and drift history are kept until their retention ends. Refused while an unfinished rollout
            plans any of its machines.
          </p>
          <Field
            label={`Type ${name} to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
          <FormError error={remove.error} />
          <div className="flex gap-2">
            <Button type="submit" variant="danger" disabled={typed !== name || remove.isPending}>
              Remove this cluster
            </Button>
            <Button
              variant="secondary"
              onClick={() => {
                setOpen(false);
                setTyped("");
                remove.reset();
              }}
            >
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <Button variant="danger" onClick={() => setOpen(true)}>
          Remove cluster…
        </Button>
      )}
    </Card>
  );
}
