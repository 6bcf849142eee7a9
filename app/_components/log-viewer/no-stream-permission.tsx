// What a log page shows to someone whose role may not stream logs.
import { Lock } from "lucide-react";
import { EmptyState } from "../empty-state";

export function NoStreamPermission() {
  return (
    <EmptyState icon={Lock} title="Live logs need the machines.stream permission">
      <p>
        Your role can see the fleet but not stream machines' logs. The operator and admin roles can; ask an
        administrator for one of them (it may be limited to a site or cluster group).
      </p>
    </EmptyState>
  );
}
