// Runs only the rollout reconciler against DATABASE_URL (no web server): for the multi-process
// takeover tests, and to drive rollouts apart from the UI. Announcements go to
// MINOS_ROLLOUT_WEBHOOK_URL as in the server; MINOS_ROLLOUT_LEASE_MS, _PASS_MS, _FOLLOW_MS,
// _SETTLE_MS and _KUBE_POLL_MS shorten the timings so tests run in seconds. Logs are JSON lines on stdout.
import { envMs, runWorkerProcess, setTimings } from "../../platform/worker-process";
import { RolloutReconciler } from "./reconciler/reconciler";
import { webhookNotifier } from "./webhook";

runWorkerProcess("ROLLOUT_RECONCILER_READY", (deps) =>
  new RolloutReconciler({
    ...deps,
    notify: webhookNotifier(process.env.MINOS_ROLLOUT_WEBHOOK_URL || undefined, deps.log),
    ...setTimings({
      leaseMs: envMs("MINOS_ROLLOUT_LEASE_MS"),
      passMs: envMs("MINOS_ROLLOUT_PASS_MS"),
      followMs: envMs("MINOS_ROLLOUT_FOLLOW_MS"),
      settleMs: envMs("MINOS_ROLLOUT_SETTLE_MS"),
      kubePollMs: envMs("MINOS_ROLLOUT_KUBE_POLL_MS"),
    }),
  }).start(),
);
