"use client";
// Labels and site for many machines at once (operators): set or remove labels, set or clear the
// site override. All or nothing; the server says why when it refuses.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { textToLabels } from "../../_components/labels";
import { useTRPC } from "../../_components/trpc";
import { Button, Field, FormError, Notice } from "../../_components/ui";

export function BulkEdit({ ids }: { ids: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [set, setSet] = useState("");
  const [remove, setRemove] = useState("");
  const [site, setSite] = useState("");
  const [clearSite, setClearSite] = useState(false);
  const [done, setDone] = useState<number | null>(null);
  const edit = useMutation(
    trpc.machines.bulkUpdate.mutationOptions({
      onSuccess: (r) => {
        setDone(r.updated);
        setSet("");
        setRemove("");
        setSite("");
        setClearSite(false);
        void queryClient.invalidateQueries({ queryKey: trpc.machines.pathKey() });
      },
    }),
  );
  return (
    <form
      aria-label="Edit selected machines"
      className="grid gap-3 rounded-lg border border-indigo-200 bg-indigo-50/50 p-4 md:grid-cols-4 md:items-end dark:border-indigo-900 dark:bg-indigo-950/20"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        edit.mutate({
          ids,
          setLabels: textToLabels(set),
          removeLabels: remove
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
          site: clearSite ? null : site.trim() || undefined,
        });
      }}
    >
      <p className="text-sm font-medium md:col-span-4">Labels and site of the selected machines</p>
      <Field
        label="Set labels"
        placeholder="ring=1, canary=true"
        value={set}
        onChange={(e) => setSet(e.target.value)}
      />
      <Field
        label="Remove labels"
        placeholder="canary, old-key"
        value={remove}
        onChange={(e) => setRemove(e.target.value)}
      />
      <div>
        <Field
          label="Set site"
          placeholder="eu/dk/aarhus-0042"
          value={site}
          disabled={clearSite}
          onChange={(e) => setSite(e.target.value)}
        />
        <label className="mt-1 flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
          <input type="checkbox" checked={clearSite} onChange={(e) => setClearSite(e.target.checked)} />
          inherit the cluster's site
        </label>
      </div>
      <div className="flex gap-2">
        <Button type="submit" disabled={edit.isPending}>
          Apply to {ids.length.toLocaleString("en-US")}
        </Button>
      </div>
      <div className="md:col-span-4">
        <FormError error={edit.error} />
        {done !== null ? <Notice>Updated {done.toLocaleString("en-US")} machines.</Notice> : null}
      </div>
    </form>
  );
}
