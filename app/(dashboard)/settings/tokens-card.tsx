"use client";
// API tokens: create one (shown once), see them, revoke them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { roleCovers, roles } from "@/server/model/permissions";
import { formatTime } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button, Card, Field, FormError, SelectField } from "../../_components/ui";
import { useMe } from "../../_components/use-me";

export function TokensCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useMe();
  const tokens = useQuery(trpc.tokens.list.queryOptions({ everyone: false }));
  const [name, setName] = useState("");
  const [role, setRole] = useState("");
  const [days, setDays] = useState("30");
  const [shown, setShown] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (r) => {
        setShown(r.token);
        setName("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: () => void refresh() }));
  if (!me) return null;
  // A token may act with any role the user's own roles cover (an admin may hand out viewer).
  const myRoles = roles.filter((r) => me.grants.some((g) => roleCovers(g.role, r)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      name,
      role: (role || myRoles[0]) as (typeof myRoles)[number],
      expiresInDays: Number(days),
    });
  };
  return (
    <Card
      title="API tokens"
      description="For scripts and automation: send as `Authorization: Bearer <token>`. A token acts with one of your roles and expires."
    >
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end">
        <Field label="Name" required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
        <SelectField label="Role" value={role || myRoles[0]} onChange={(e) => setRole(e.target.value)}>
          {myRoles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </SelectField>
        <Field
          label="Expires in days"
          type="number"
          min={1}
          max={365}
          required
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
        <Button type="submit" disabled={create.isPending}>
          Create token
        </Button>
      </form>
      <div className="mt-3">
        <FormError error={create.error ?? revoke.error} />
      </div>
      {shown ? (
        <div
          role="status"
          className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950/40"
        >
          <p className="font-medium">Copy this token now: it is shown only once.</p>
          <code
            data-testid="new-token"
            className="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-950"
          >
            {shown}
          </code>
          <Button variant="secondary" className="mt-2" onClick={() => setShown(null)}>
            Done
          </Button>
        </div>
      ) : null}
      <Table
        columns={["Name", "Token", "Role", "Expires", "Last used", null]}
        headerCell="py-2"
        className="mt-4"
      >
        {tokens.data?.length === 0 ? (
          <tr>
            <td colSpan={6} className="py-3 text-zinc-500">
              No tokens yet.
            </td>
          </tr>
        ) : null}
        {tokens.data?.map((t) => (
          <tr key={t.id}>
            <td className="py-2">{t.name}</td>
            <td className="py-2 font-mono text-xs">{t.prefix}…</td>
            <td className="py-2">{t.role}</td>
            <td className="py-2">{t.revokedAt ? "revoked" : formatTime(t.expiresAt)}</td>
            <td className="py-2">{formatTime(t.lastUsedAt)}</td>
            <td className="py-2 text-right">
              {t.revokedAt ? null : (
                <Button variant="danger" onClick={() => revoke.mutate({ id: t.id })}>
                  Revoke
                </Button>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}
