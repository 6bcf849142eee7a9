// Which rollout a machine is being upgraded by right now, so a planned reboot reads as one: "for rollout
// "to v1.14": rebooting: planned reboot, back soon", not as an outage.
import type { Prisma } from "../../platform/db/generated/client";
import type { Health } from "../health";

/** The machine's row in a rollout that is upgrading it now (at most one: locks keep rollouts apart). */
export const rolloutInFlightSelect = {
  where: {
    phase: { in: ["pulling", "upgrading"] },
    rollout: { status: { in: ["running", "paused", "aborting"] } },
  },
  take: 1,
  select: { rollout: { select: { id: true, name: true } } },
} satisfies Prisma.Machine$rolloutMachinesArgs;

/** The health reason, naming the rollout when the machine is upgrading or rebooting for one. */
export function reasonWithRollout(
  health: Health,
  reason: string,
  inFlight: ReadonlyArray<{ rollout: { name: string } }>,
): string {
  const name = inFlight[0]?.rollout.name;
  if (health !== "upgrading" || !name) return reason;
  return `for rollout "${name}"${reason ? `: ${reason}` : ""}`;
}
