// The simulator's own record of the upgrade requests a node received and how each ended, so tests can
// count upgrades from the node's side (a client's bookkeeping can be wrong; this cannot).
import type { SimNode } from "./node";
import { installerTag } from "./registry";

export type UpgradeApi = "MachineService.Upgrade" | "LifecycleService.Upgrade";

/**
 * - `pulling`: the legacy Upgrade is pulling its installer (it answers only after that);
 * - `installing`: LifecycleService.Upgrade runs the installer;
 * - `running`: the legacy upgrade sequence runs;
 * - `installed`: the installer exited 0; it takes effect on the next reboot;
 * - `booted`: the node rebooted into what this request installed (the upgrade took effect);
 * - `failed`: the installer or the sequence failed, or the node booted its old version;
 * - `refused`: answered with an error or a LOCKED sequence, nothing started;
 * - `cancelled`: the caller went away before anything was installed.
 */
export type UpgradeOutcome =
  | "pulling"
  | "installing"
  | "running"
  | "installed"
  | "booted"
  | "failed"
  | "refused"
  | "cancelled";

export interface UpgradeCall {
  /** When the request arrived (ISO time). */
  at: string;
  api: UpgradeApi;
  image: string;
  outcome: UpgradeOutcome;
  detail?: string;
  /** When the outcome became final (booted, failed, refused, cancelled; ISO time): the request was in flight till then. */
  endedAt?: string;
}

const FINAL: ReadonlySet<UpgradeOutcome> = new Set(["booted", "failed", "refused", "cancelled"]);

/** Calls kept per node (the oldest go first). */
const MAX_CALLS = 100;

export function recordUpgradeCall(node: SimNode, api: UpgradeApi, image: string): UpgradeCall {
  const call: UpgradeCall = {
    at: new Date().toISOString(),
    api,
    image,
    outcome: api === "MachineService.Upgrade" ? "pulling" : "installing",
  };
  node.upgradeCalls.push(call);
  if (node.upgradeCalls.length > MAX_CALLS) node.upgradeCalls.shift();
  return call;
}

export function endUpgradeCall(call: UpgradeCall, outcome: UpgradeOutcome, detail?: string): void {
  call.outcome = outcome;
  if (detail !== undefined) call.detail = detail;
  if (FINAL.has(outcome)) call.endedAt = new Date().toISOString();
}

/**
 * On a boot: the request whose install was waiting for it (the last `installed` or `running` one) took
 * effect if the node now runs its version, else it failed.
 */
export function settleOnBoot(node: SimNode): void {
  const pending = node.upgradeCalls.findLast((c) => c.outcome === "installed" || c.outcome === "running");
  if (!pending) return;
  const tag = installerTag(pending.image);
  if (node.talosVersion === tag) endUpgradeCall(pending, "booted");
  else endUpgradeCall(pending, "failed", `the node booted ${node.talosVersion}, not ${tag}`);
}
