// A machine's drift status as the drift overview counts it and the machines list filters by it (no dependencies:
// the browser reads it too). drifted: an item differs and is not acknowledged; unknown: only items Minos cannot
// check; clean: neither; acknowledged: an item acknowledged until later.
export const DRIFT_STATUSES = ["drifted", "unknown", "clean", "acknowledged"] as const;
export type DriftStatus = (typeof DRIFT_STATUSES)[number];
