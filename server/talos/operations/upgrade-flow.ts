// Upgrades one node end to end as talosctl does, following its events across the reboot until it runs the new version.
import { setTimeout as sleep } from "node:timers/promises";
import { TalosDeadlineExceededError, type TalosError, TalosRequestError } from "../errors";
import type { TalosEvent } from "../event-decoder";
import type { CallTarget, NodeCaller } from "../node-call";
import { events } from "./events";
import { version } from "./identity";
import { bootId } from "./machine-resources";
import {
  LIFECYCLE_MIN_VERSION,
  legacyUpgrade,
  lifecycleUpgrade,
  pullImage,
  reboot,
  versionAtLeast,
} from "./upgrade";

export type UpgradeProgress =
  | { step: "pulling"; detail: string }
  | { step: "installing"; detail: string }
  | { step: "requested"; actorId: string; path: "legacy" | "lifecycle"; staged: boolean }
  | { step: "event"; event: TalosEvent }
  | { step: "disconnected"; detail: string }
  | { step: "reconnected" };

export interface UpgradeFlowOptions extends CallTarget {
  node: string;
  /** Installer image, e.g. ghcr.io/siderolabs/installer:v1.13.9 */
  image: string;
  /** "auto" picks the lifecycle path on Talos >= 1.13, else legacy (and always legacy with `stage`). */
  path?: "auto" | "legacy" | "lifecycle";
  /** Legacy path: skip the etcd health check and upgrade lock on control planes. */
  force?: boolean;
  /** Legacy path: keep the ephemeral partition's data. */
  preserve?: boolean;
  /** Legacy path: power-cycle instead of kexec. */
  powercycle?: boolean;
  /**
   * Install on the next boot instead of now (legacy Upgrade with `stage`, as `talosctl upgrade --stage`): the node
   * runs stageUpgrade and reboots, installs while booting, and reboots again into the new version. For when the
   * running system holds files the installer needs to replace. LifecycleService has no staging: legacy path only.
   */
  stage?: boolean;
  /**
   * Lifecycle path: runs after the install succeeded and before the Reboot request, e.g. to cordon and drain
   * the node through Kubernetes as talosctl does (machined's reboot sequence does not drain). Throwing stops
   * the flow: no Reboot is sent. (The legacy Upgrade sequence drains inside machined.)
   */
  beforeReboot?: (signal: AbortSignal) => Promise<void>;
  /**
   * Conditions of MachineStatus the caller checks itself after the flow (e.g. `nodeReady`, which waits on
   * Kubernetes): the node counts as back once RUNNING on a new boot with no other condition unmet.
   */
  checkedAfter?: readonly string[];
  /** Whole-flow limit (default 30 min). */
  timeoutMs?: number;
  /**
   * Called synchronously just before each request that changes the node leaves (ImageService.Pull,
   * LifecycleService.Upgrade, Reboot, the legacy Upgrade); throwing stops the flow before that request.
   * (`guard` on a CallTarget; reads are not guarded.)
   */
  guard?: () => void;
  onProgress?: (p: UpgradeProgress) => void;
}

export interface UpgradeResult {
  path: "legacy" | "lifecycle";
  /** The install ran on the next boot (two reboots). */
  staged: boolean;
  actorId: string;
  fromVersion: string;
  toVersion: string;
  bootIdBefore: string;
  bootIdAfter: string;
}

/**
 * Runs the upgrade and resolves once the node is RUNNING and ready (but for `checkedAfter`) on a new boot id;
 * rejects with a TalosError.
 */
export async function upgradeNode(caller: NodeCaller, opts: UpgradeFlowOptions): Promise<UpgradeResult> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])]);
  const at = { node: opts.node, signal };
  // Requests that change the node: the caller's guard runs just before each leaves.
  const change = { ...at, guard: opts.guard };
  const progress = opts.onProgress ?? (() => {});
  try {
    const before = await version(caller, at);
    const bootIdBefore = await bootId(caller, at);
    if (opts.stage && opts.path === "lifecycle") {
      throw new TalosRequestError("invalid-argument", {
        operation: `Upgrading to ${opts.image}`,
        node: opts.node,
        detail:
          "a staged upgrade (install on next boot) exists only in the legacy Upgrade API; LifecycleService installs now",
      });
    }
    const path =
      opts.path === "legacy" || opts.path === "lifecycle"
        ? opts.path
        : opts.stage || !versionAtLeast(before.tag, LIFECYCLE_MIN_VERSION)
          ? "legacy"
          : "lifecycle";

    // Subscribe first and wait for hello, so no event of the action is missed.
    const stream = events(caller, { ...at, tailEvents: 0 });
    await stream.ready;
    let actorId: string;
    try {
      if (path === "lifecycle") {
        const imageName = await pullImage(caller, {
          ...change,
          imageRef: opts.image,
          timeoutMs: undefined,
          onProgress: (p) => progress({ step: "pulling", detail: `${p.layerId} ${p.status}` }),
        });
        const exitCode = await lifecycleUpgrade(caller, {
          ...change,
          imageName,
          onOutput: (line) => progress({ step: "installing", detail: line }),
        });
        if (exitCode !== 0) {
          throw new TalosRequestError("node-error", {
            operation: `Installing ${opts.image}`,
            node: opts.node,
            detail: `the installer exited with code ${exitCode}`,
          });
        }
        if (opts.beforeReboot) await opts.beforeReboot(signal);
        actorId = (await reboot(caller, change)).actorId;
      } else {
        actorId = (
          await legacyUpgrade(caller, {
            ...change,
            image: opts.image,
            force: opts.force,
            preserve: opts.preserve,
            powercycle: opts.powercycle,
            stage: opts.stage,
          })
        ).actorId;
      }
    } catch (err) {
      stream.close();
      throw err;
    }
    progress({ step: "requested", actorId, path, staged: opts.stage === true });

    await followUntilBack(caller, opts, stream, actorId, bootIdBefore, signal, progress);
    const after = await version(caller, at);
    const bootIdAfter = await bootId(caller, at);
    const expected = imageTag(opts.image);
    if (expected !== undefined && after.tag !== expected) {
      throw new TalosRequestError("node-error", {
        operation: `Upgrading to ${opts.image}`,
        node: opts.node,
        detail: `the node rebooted but runs ${after.tag}, not ${expected} (the new version did not boot, so it fell back)`,
      });
    }
    return {
      path,
      staged: opts.stage === true,
      actorId,
      fromVersion: before.tag,
      toVersion: after.tag,
      bootIdBefore,
      bootIdAfter,
    };
  } catch (err) {
    if (signal.aborted && !opts.signal?.aborted) {
      throw new TalosDeadlineExceededError({
        operation: `Upgrading to ${opts.image}`,
        node: opts.node,
        timeoutMs,
        cause: err,
      });
    }
    throw err;
  }
}

/** The version tag of an installer reference (…/installer:v1.13.9), if it names one. */
function imageTag(image: string): string | undefined {
  const tag = image.match(/:(v\d+\.\d+\.\d+[^@/:]*)(@.*)?$/)?.[1];
  return tag;
}

async function followUntilBack(
  caller: NodeCaller,
  opts: UpgradeFlowOptions,
  first: ReturnType<typeof events>,
  actorId: string,
  bootIdBefore: string,
  signal: AbortSignal,
  progress: (p: UpgradeProgress) => void,
): Promise<void> {
  let stream = first;
  let backoffMs = 250;
  let failure: TalosError | undefined;
  for (;;) {
    try {
      for await (const event of stream) {
        progress({ step: "event", event });
        const p = event.payload;
        if (p.type === "sequence" && p.error && event.actorId === actorId) {
          failure = new TalosRequestError("node-error", {
            operation: `Upgrading to ${opts.image}`,
            node: opts.node,
            // machined's own words: "sequence failed: error running phase …" or "sequence not started: …"
            detail: p.error.message,
          });
          stream.close();
          throw failure;
        }
        const back =
          p.type === "machineStatus" &&
          p.stage === "RUNNING" &&
          (p.ready || p.unmetConditions.every((c) => opts.checkedAfter?.includes(c.name)));
        if (back) {
          // Running again; it counts only once the node has really rebooted.
          const now = await bootId(caller, { node: opts.node, signal }).catch(() => bootIdBefore);
          if (now !== bootIdBefore) {
            stream.close();
            return;
          }
        }
      }
      throw new TalosRequestError("node-error", {
        operation: "Watching events",
        detail: "the event stream ended",
      });
    } catch (err) {
      if (signal.aborted) throw err;
      if (err === failure) throw err;
      // Expected while the node stops its services and reboots: reconnect with backoff and replay history.
      progress({ step: "disconnected", detail: err instanceof Error ? err.message : String(err) });
      await sleep(backoffMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) throw err;
      backoffMs = Math.min(backoffMs * 2, 5_000);
      stream = events(caller, { node: opts.node, signal, tailEvents: -1, timeoutMs: undefined });
      try {
        await stream.ready;
        progress({ step: "reconnected" });
        backoffMs = 250;
      } catch {
        // still down: the loop reads the failure and retries
      }
    }
  }
}
