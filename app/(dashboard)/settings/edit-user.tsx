"use client";
// The editor under a user's row: change their roles and scope, or set a new password for them (which
// ends their sessions and revokes their API tokens). Each is audited by the server.
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { Role } from "@/server/model/permissions";
import { useTRPC } from "../../_components/trpc";
import { Button, Field, FormError, Notice } from "../../_components/ui";
import { AdminScopeWarning, adminScoped, GrantFields } from "./grant-fields";

export function EditUser({
  username,
  grants,
  onChanged,
  onClose,
}: {
  username: string;
  grants: { role: Role; scope: string }[];
  onChanged: () => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const scopes = [...new Set(grants.map((g) => g.scope))];
  const [chosen, setChosen] = useState<Role[]>(grants.map((g) => g.role));
  const [scope, setScope] = useState(scopes[0] ?? "");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const saveRoles = useMutation(
    trpc.users.setGrants.mutationOptions({
      onSuccess: () => {
        setDone(`${username} now holds ${chosen.join(", ")}${scope ? ` in ${scope}` : ""}.`);
        onChanged();
      },
    }),
  );
  const reset = useMutation(
    trpc.users.resetPassword.mutationOptions({
      onSuccess: (r) => {
        setPassword("");
        setDone(
          `${username}'s password was set; their sessions ended${r.revokedTokens ? ` and ${r.revokedTokens} API token${r.revokedTokens === 1 ? " was" : "s were"} revoked` : ""}.`,
        );
      },
    }),
  );
  const scopedAdmin = adminScoped(chosen, scope);
  const submitRoles = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    saveRoles.mutate({ username, grants: chosen.map((role) => ({ role, scope: scope.trim() })) });
  };
  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    reset.mutate({ username, newPassword: password });
  };
  return (
    <tr>
      <td colSpan={5} className="py-3">
        <section
          aria-label={`Edit ${username}`}
          className="space-y-4 rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
        >
          <form onSubmit={submitRoles} className="grid gap-3 md:grid-cols-2">
            <GrantFields
              legend={`Roles of ${username}`}
              scopeLabel="Scope of these roles (empty = whole fleet)"
              chosen={chosen}
              onChosen={setChosen}
              scope={scope}
              onScope={setScope}
            />
            <div className="md:col-span-2">
              {scopes.length > 1 ? (
                <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
                  Their roles have different scopes now ({scopes.map((s) => s || "whole fleet").join(", ")});
                  saving gives every role the scope above.
                </p>
              ) : null}
              {scopedAdmin ? <AdminScopeWarning /> : null}
              <Button type="submit" disabled={saveRoles.isPending || scopedAdmin || chosen.length === 0}>
                Save roles
              </Button>
            </div>
          </form>
          <form onSubmit={submitPassword} className="flex flex-wrap items-end gap-3">
            <div className="min-w-64">
              <Field
                label={`New password for ${username} (12+ characters)`}
                type="password"
                autoComplete="new-password"
                required
                minLength={12}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            <Button type="submit" variant="secondary" disabled={reset.isPending || password.length < 12}>
              Set password
            </Button>
          </form>
          <FormError error={saveRoles.error ?? reset.error} />
          {done ? <Notice>{done}</Notice> : null}
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
        </section>
      </td>
    </tr>
  );
}
