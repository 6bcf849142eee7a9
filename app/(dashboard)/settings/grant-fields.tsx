"use client";
// Roles and the one scope they apply in, as the create-user form and the user editor ask for them, with
// the warning that an admin is always fleet-wide (the server refuses a scoped admin too).
import { type Role, roles } from "@/server/model/permissions";
import { Field } from "../../_components/ui";

/** Whether the choice would make a scoped admin, which the server refuses. */
export const adminScoped = (chosen: readonly Role[], scope: string) =>
  chosen.includes("admin") && scope.trim() !== "";

export function GrantFields({
  legend,
  scopeLabel,
  chosen,
  onChosen,
  scope,
  onScope,
}: {
  legend: string;
  scopeLabel: string;
  chosen: Role[];
  onChosen: (roles: Role[]) => void;
  scope: string;
  onScope: (scope: string) => void;
}) {
  const toggle = (r: Role) => onChosen(chosen.includes(r) ? chosen.filter((x) => x !== r) : [...chosen, r]);
  return (
    <>
      <fieldset className="text-sm">
        <legend className="font-medium">{legend}</legend>
        <div className="mt-2 flex flex-wrap gap-3">
          {roles.map((r) => (
            <label key={r} className="flex items-center gap-1.5">
              <input type="checkbox" checked={chosen.includes(r)} onChange={() => toggle(r)} />
              {r}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label={scopeLabel} value={scope} onChange={(e) => onScope(e.target.value)} />
    </>
  );
}

export function AdminScopeWarning() {
  return (
    <p role="alert" className="mb-2 text-sm text-amber-800 dark:text-amber-300">
      Admin is always fleet-wide: clear the scope, or give operator and approver for that scope.
    </p>
  );
}
