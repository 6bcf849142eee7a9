// The hash chain of audit entries: each entry's hash covers the previous entry's hash and this
// entry's content, in a canonical form that survives Postgres's jsonb key reordering.
import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";

export interface AuditContent {
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  address: string | null;
  result: string;
  details: unknown;
}

export function entryHash(prevHash: string, e: AuditContent): string {
  const canonical = stringify({
    prevHash,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target,
    address: e.address,
    result: e.result,
    details: e.details ?? {},
  });
  return createHash("sha256")
    .update(canonical ?? "")
    .digest("hex");
}
