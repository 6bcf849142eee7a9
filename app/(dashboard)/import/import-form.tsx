"use client";
// Paste or choose a talosconfig, optionally place the clusters in a site, and import: everything
// or nothing, with a message naming the context that failed.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../_components/trpc";
import { Button, Card, Field, FormError, Notice } from "../../_components/ui";
import { useMe } from "../../_components/use-me";

export function ImportForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { may, loading } = useMe();
  const [text, setText] = useState("");
  const [site, setSite] = useState("");
  const run = useMutation(
    trpc.inventory.import.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries() }),
  );
  if (loading) return null;
  if (!may("admin.manage")) {
    return <Notice>Importing fleets needs the admin role: it stores the fleet's Talos credentials.</Notice>;
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate({ talosconfig: text, site });
  };
  return (
    <Card
      title="From a talosconfig"
      description="The client key is stored sealed and never sent back to a browser."
    >
      <form onSubmit={submit} className="space-y-4">
        <label className="block text-sm font-medium">
          Choose a file
          <input
            type="file"
            className="mt-1 block text-sm file:mr-3 file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-zinc-50 dark:file:border-zinc-700 dark:file:bg-zinc-900 dark:file:text-zinc-100"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) setText(await file.text());
            }}
          />
        </label>
        <label className="block text-sm font-medium">
          or paste its contents
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={10}
            spellCheck={false}
            className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
        <div className="max-w-md">
          <Field
            label="Site for these clusters (optional), e.g. eu/dk/aarhus-0042"
            value={site}
            onChange={(e) => setSite(e.target.value)}
          />
        </div>
        <Button type="submit" disabled={run.isPending || text.trim() === ""}>
          {run.isPending ? "Reaching the clusters…" : "Import"}
        </Button>
        <FormError error={run.error} />
        {run.data ? (
          <Notice>
            Imported {run.data.length} cluster{run.data.length === 1 ? "" : "s"} with{" "}
            {run.data.reduce((n, c) => n + c.machines, 0)} machines: {run.data.map((c) => c.name).join(", ")}.{" "}
            <Link className="underline" href="/clusters">
              See the clusters
            </Link>
          </Notice>
        ) : null}
      </form>
    </Card>
  );
}
