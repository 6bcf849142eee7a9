// The stored maintenance windows as the reconciler and the planner see them: the scheduler's windows,
// added to any a rollout was given through the API.

import { asSchedulerWindow } from "../../model/maintenance-window";
import type { MaintenanceWindow, SafetySettings } from "../../model/rollout-safety";
import type { PrismaClient } from "../../platform/db/client";

/** Every stored window, in the scheduler's form. */
export async function loadMaintenanceWindows(db: PrismaClient): Promise<MaintenanceWindow[]> {
  const rows = await db.maintenanceWindow.findMany({
    select: { site: true, timeZone: true, days: true, start: true, durationMinutes: true },
    orderBy: [{ site: "asc" }, { id: "asc" }],
  });
  return rows.map(asSchedulerWindow);
}

/**
 * A rollout's safety settings with the sites' maintenance windows added to its own: what the
 * scheduler and the planner go by. Read on every pass, so an edited window applies at once.
 */
export async function withMaintenanceWindows<S extends Pick<SafetySettings, "windows">>(
  db: PrismaClient,
  safety: S,
): Promise<S> {
  const stored = await loadMaintenanceWindows(db);
  return stored.length === 0 ? safety : { ...safety, windows: [...safety.windows, ...stored] };
}
