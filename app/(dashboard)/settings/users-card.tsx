"use client";
// User administration (administrators only): create users, change roles, disable, reset passwords,
// delete accounts made by mistake.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, Fragment, useState } from "react";
import type { Role } from "@/server/model/permissions";
import { formatTime } from "../../_components/format";
import { Table } from "../../_components/table";
import { useTRPC } from "../../_components/trpc";
import { Button, Card, Field, FormError, Notice } from "../../_components/ui";
import { useMe } from "../../_components/use-me";
import { DeleteUserConfirm } from "./delete-user-confirm";
import { EditUser } from "./edit-user";
import { AdminScopeWarning, adminScoped, GrantFields } from "./grant-fields";

export function UsersCard() {
  const { may } = useMe();
  if (!may("admin.manage")) return null;
  return <UsersAdmin />;
}

function UsersAdmin() {
  const trpc = useTRPC();
  const { me } = useMe();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [chosen, setChosen] = useState<Role[]>(["viewer"]);
  const [scope, setScope] = useState("");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        // The whole form starts over: a second user must not silently get the first one's roles.
        setUsername("");
        setPassword("");
        setChosen(["viewer"]);
        setScope("");
        void refresh();
      },
    }),
  );
  const setDisabled = useMutation(
    trpc.users.setDisabled.mutationOptions({ onSuccess: () => void refresh() }),
  );
  const [deleting, setDeleting] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const remove = useMutation(
    trpc.users.delete.mutationOptions({
      onSuccess: (r) => {
        setDeleting(null);
        setDeleted(
          `Deleted ${r.username}: ${r.endedSessions} ${r.endedSessions === 1 ? "session" : "sessions"} ended, ${r.removedTokens} API ${r.removedTokens === 1 ? "token" : "tokens"} removed.`,
        );
        void refresh();
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ username, password, grants: chosen.map((role) => ({ role, scope })) });
  };
  const scopedAdmin = adminScoped(chosen, scope);
  return (
    <Card
      title="Users"
      description="Who may sign in, and with which roles. A scope limits roles to sites or clusters."
    >
      <form onSubmit={submit} className="grid gap-3 md:grid-cols-2">
        <Field label="User name" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field
          label="Initial password (12+ characters)"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <GrantFields
          legend="Roles"
          scopeLabel="Scope (empty = whole fleet, e.g. site:eu/dk/*)"
          chosen={chosen}
          onChosen={setChosen}
          scope={scope}
          onScope={setScope}
        />
        <div className="md:col-span-2">
          {scopedAdmin ? <AdminScopeWarning /> : null}
          <Button type="submit" disabled={create.isPending || scopedAdmin}>
            Create user
          </Button>
        </div>
      </form>
      <div className="mt-3">
        <FormError error={create.error ?? setDisabled.error ?? remove.error} />
        {deleted ? <Notice>{deleted}</Notice> : null}
      </div>
      <Table columns={["User", "Roles", "Last sign-in", "State", null]} headerCell="py-2" className="mt-4">
        {users.data?.map((u) => (
          <Fragment key={u.id}>
            <tr data-testid={`user-${u.username}`}>
              <td className="py-2 font-medium">{u.username}</td>
              <td className="py-2">
                {u.grants.map((g) => (g.scope ? `${g.role} (${g.scope})` : g.role)).join(", ")}
              </td>
              <td className="py-2">{formatTime(u.lastLoginAt)}</td>
              <td className="py-2">
                {u.disabled
                  ? "disabled"
                  : u.lockedUntil && new Date(u.lockedUntil) > new Date()
                    ? `locked out from an address until ${formatTime(u.lockedUntil)}`
                    : "active"}
              </td>
              <td className="whitespace-nowrap py-2 text-right">
                <Button
                  variant="secondary"
                  className="mr-2"
                  aria-label={`Edit ${u.username}`}
                  aria-expanded={editing === u.username}
                  onClick={() => setEditing(editing === u.username ? null : u.username)}
                >
                  Edit
                </Button>
                <Button
                  variant={u.disabled ? "secondary" : "danger"}
                  onClick={() => setDisabled.mutate({ username: u.username, disabled: !u.disabled })}
                >
                  {u.disabled ? "Enable" : "Disable"}
                </Button>
                {u.username !== me?.username ? (
                  <Button
                    className="ml-2"
                    variant="danger"
                    aria-label={`Delete ${u.username}`}
                    onClick={() => {
                      setDeleted(null);
                      remove.reset();
                      setDeleting(u.username);
                    }}
                  >
                    Delete
                  </Button>
                ) : null}
              </td>
            </tr>
            {editing === u.username ? (
              <EditUser
                username={u.username}
                grants={u.grants}
                onChanged={() => void refresh()}
                onClose={() => setEditing(null)}
              />
            ) : null}
            {deleting === u.username ? (
              <DeleteUserConfirm
                username={u.username}
                sso={u.oidcSubject !== null}
                busy={remove.isPending}
                onConfirm={() => remove.mutate({ username: u.username })}
                onCancel={() => setDeleting(null)}
              />
            ) : null}
          </Fragment>
        ))}
      </Table>
    </Card>
  );
}
