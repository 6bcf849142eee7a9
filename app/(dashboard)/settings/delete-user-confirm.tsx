"use client";
// The confirmation under a user's row before deleting the account: what ends, and what keeps the name.
import { Button } from "../../_components/ui";

export function DeleteUserConfirm({
  username,
  sso,
  busy,
  onConfirm,
  onCancel,
}: {
  username: string;
  /** Signs in through single sign-on: the account comes back at the next sign-in. */
  sso: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <tr>
      <td colSpan={5} className="py-3">
        <div
          role="alertdialog"
          aria-label={`Delete ${username}?`}
          className="space-y-3 rounded-md border border-red-200 p-3 dark:border-red-900"
        >
          <p className="text-sm">
            Delete <span className="font-medium">{username}</span>? Their sessions and API tokens stop working
            at once. The audit trail, rollouts, approvals and locks keep their name.
            {sso
              ? " This account signs in through single sign-on and would come back at its next sign-in: disable it instead to keep the person out."
              : ""}
          </p>
          <div className="flex gap-2">
            <Button variant="danger" onClick={onConfirm} disabled={busy}>
              Delete user
            </Button>
            <Button variant="secondary" onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </div>
      </td>
    </tr>
  );
}
