// Upgrade building blocks: legacy MachineService.Upgrade, ImageService.Pull, LifecycleService.Upgrade, Reboot.

import { ContainerDriver, ContainerdNamespace } from "@/proto/generated/common/common";
import { ImageServicePullLayerProgress_Status, ImageServiceService } from "@/proto/generated/machine/image";
import { LifecycleServiceService } from "@/proto/generated/machine/lifecycle";
import {
  MachineServiceService,
  RebootRequest_Mode,
  UpgradeRequest_RebootMode,
} from "@/proto/generated/machine/machine";
import { TalosRequestError, TalosVersionTooOldError } from "../errors";
import type { CallTarget, NodeCaller } from "../node-call";
import { callNode, unaryOperation } from "../operation";
import { version } from "./identity";

/** Talos releases from which ImageService.Pull + LifecycleService.Upgrade exist (talosctl's switch point). */
export const LIFECYCLE_MIN_VERSION = "v1.13.0";

/** The system containerd, where Talos keeps installer images. */
const SYSTEM_CONTAINERD = { driver: ContainerDriver.CONTAINERD, namespace: ContainerdNamespace.NS_SYSTEM };

export type LegacyUpgradeOptions = CallTarget & LegacyUpgradeRequest;

export interface LegacyUpgradeRequest {
  image: string;
  /** Install on next boot instead of now (the node reboots twice). */
  stage?: boolean;
  /** Skip the etcd health check and lock on control planes. */
  force?: boolean;
  preserve?: boolean;
  /** Power-cycle instead of kexec. */
  powercycle?: boolean;
}

/** Legacy upgrade: Talos pulls and checks the image first (minutes), then answers and upgrades in the background. */
export const LEGACY_UPGRADE_OP = unaryOperation({
  def: MachineServiceService.upgrade,
  spec: (o: LegacyUpgradeRequest) => ({ operation: `Upgrading to ${o.image}` }),
  request: (o: LegacyUpgradeRequest) => ({
    image: o.image,
    preserve: o.preserve ?? false,
    stage: o.stage ?? false,
    force: o.force ?? false,
    rebootMode: o.powercycle ? UpgradeRequest_RebootMode.POWERCYCLE : UpgradeRequest_RebootMode.DEFAULT,
  }),
  result: (m) => ({ ack: m.ack, actorId: m.actorId }),
  timeoutMs: 10 * 60_000,
});

export function legacyUpgrade(
  caller: NodeCaller,
  opts: LegacyUpgradeOptions,
): Promise<{ ack: string; actorId: string }> {
  return callNode(caller, LEGACY_UPGRADE_OP, opts);
}

export interface PullProgress {
  layerId: string;
  status: string;
  offset: number;
  total: number;
}

/** Pulls an image into the node's system containerd; returns the pulled image name. Talos >= 1.13. */
export async function pullImage(
  caller: NodeCaller,
  opts: CallTarget & { imageRef: string; onProgress?: (p: PullProgress) => void },
): Promise<string> {
  const spec = { operation: `Pulling ${opts.imageRef}` };
  await requireVersion(caller, opts, spec.operation);
  let name = "";
  const request = { containerd: SYSTEM_CONTAINERD, imageRef: opts.imageRef };
  for await (const m of caller.stream(ImageServiceService.pull, request, spec, opts)) {
    const r = m.response;
    if (r?.$case === "name") name = r.value;
    else if (r?.$case === "pullProgress" && opts.onProgress) {
      const p = r.value.progress;
      opts.onProgress({
        layerId: r.value.layerId,
        status: ImageServicePullLayerProgress_Status[p?.status ?? 0] ?? "UNKNOWN",
        offset: Number(p?.offset ?? 0),
        total: Number(p?.total ?? 0),
      });
    }
  }
  if (name === "") {
    throw new TalosRequestError("node-error", {
      ...spec,
      node: opts.node,
      detail: "the pull ended without an image",
    });
  }
  return name;
}

/**
 * Runs the installer from a pulled image (LifecycleService.Upgrade); resolves with its exit code (0 = success).
 * It does not reboot: call reboot() afterwards. Talos >= 1.13.
 */
export async function lifecycleUpgrade(
  caller: NodeCaller,
  opts: CallTarget & { imageName: string; onOutput?: (line: string) => void },
): Promise<number> {
  const spec = { operation: `Installing ${opts.imageName}` };
  await requireVersion(caller, opts, spec.operation);
  const request = { containerd: SYSTEM_CONTAINERD, source: { imageName: opts.imageName } };
  let exitCode: number | undefined;
  for await (const m of caller.stream(LifecycleServiceService.upgrade, request, spec, opts)) {
    const r = m.progress?.response;
    if (r?.$case === "message") opts.onOutput?.(r.value.replace(/\n$/, ""));
    else if (r?.$case === "exitCode") exitCode = r.value;
  }
  if (exitCode === undefined) {
    throw new TalosRequestError("node-error", {
      ...spec,
      node: opts.node,
      detail: "the installer gave no exit code",
    });
  }
  return exitCode;
}

type RebootMode = "default" | "powercycle" | "force";

export const REBOOT_OP = unaryOperation({
  def: MachineServiceService.reboot,
  spec: () => ({ operation: "Rebooting" }),
  request: (o: { mode?: RebootMode }) => ({
    mode:
      o.mode === "powercycle"
        ? RebootRequest_Mode.POWERCYCLE
        : o.mode === "force"
          ? RebootRequest_Mode.FORCE
          : RebootRequest_Mode.DEFAULT,
  }),
  result: (m) => ({ actorId: m.actorId }),
});

/** Asks the node to reboot; returns the actor id its events will carry. */
export function reboot(
  caller: NodeCaller,
  opts: CallTarget & { mode?: RebootMode },
): Promise<{ actorId: string }> {
  return callNode(caller, REBOOT_OP, opts);
}

/** Whether a Talos version tag is at least `min` (prereleases of `min` count as older). */
export function versionAtLeast(tag: string, min: string): boolean {
  const parse = (v: string) => {
    const m = v.match(/^v?(\d+)\.(\d+)\.(\d+)(-.+)?/);
    return m ? { n: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] !== undefined } : undefined;
  };
  const a = parse(tag);
  const b = parse(min);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) {
    const x = a.n[i] ?? 0;
    const y = b.n[i] ?? 0;
    if (x !== y) return x > y;
  }
  return !a.pre || b.pre;
}

async function requireVersion(caller: NodeCaller, target: CallTarget, operation: string): Promise<void> {
  const v = await version(caller, { node: target.node, signal: target.signal });
  if (!versionAtLeast(v.tag, LIFECYCLE_MIN_VERSION)) {
    throw new TalosVersionTooOldError({
      operation,
      node: target.node,
      minimumVersion: LIFECYCLE_MIN_VERSION,
      nodeVersion: v.tag,
    });
  }
}

export const ROLLBACK_OP = unaryOperation({
  def: MachineServiceService.rollback,
  spec: () => ({ operation: "Rolling back to the previous Talos version" }),
  request: () => ({}),
  result: () => undefined,
});

/** Boots the previous Talos version again (after an upgrade went wrong); the node reboots. */
export function rollback(caller: NodeCaller, target: CallTarget): Promise<void> {
  return callNode(caller, ROLLBACK_OP, target);
}
