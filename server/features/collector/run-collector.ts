// Runs only the collector against DATABASE_URL (no web server): for the multi-process takeover test and
// for running collection apart from the UI. MINOS_COLLECTOR_LEASE_MS and _RECONCILE_MS shorten the timings
// so tests run in seconds.
import { envMs, runWorkerProcess, setTimings } from "../../platform/worker-process";
import { startCollector } from "./collector";

runWorkerProcess("COLLECTOR_READY", (deps) =>
  startCollector({
    ...deps,
    ...setTimings({
      leaseMs: envMs("MINOS_COLLECTOR_LEASE_MS"),
      reconcileMs: envMs("MINOS_COLLECTOR_RECONCILE_MS"),
    }),
  }),
);
