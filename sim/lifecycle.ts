// Sequences that change a node's life: reboot, the legacy upgrade, staged upgrade, and the boot that follows.
import { bootScript, KERNEL_BOOT_MS } from "./boot-script";
import type { SimFleet } from "./fleet";
import { goDuration, machinedLine } from "./log-formats";
import type { SimNode } from "./node";
import { installerTag } from "./registry";
import { healthyData, startupServiceEvents } from "./services";
import { endUpgradeCall, settleOnBoot, type UpgradeCall } from "./upgrade-calls";
import { ErrorCode, MachineStage, PhaseAction, RestartCmd, SequenceAction, TaskAction } from "./wire";

type Phase = { phase: string; task: string; ms: number };

/** The upgrade sequence of Talos 1.12–1.14, in order, with simulated task durations. */
export function upgradePhases(rebootMode: "DEFAULT" | "POWERCYCLE"): Phase[] {
  const phases: Phase[] = [
    { phase: "denyNewServices", task: "denyNewServices", ms: 50 },
    { phase: "drain", task: "cordonAndDrainNode", ms: 3000 },
    { phase: "cleanup", task: "stopAllPods", ms: 2000 },
    { phase: "dbus", task: "stopDBus", ms: 100 },
    { phase: "stopServices", task: "stopServicesForUpgrade", ms: 1500 },
    { phase: "unmount", task: "unmountPodMounts", ms: 300 },
    { phase: "unmountBind", task: "unmountSystemDiskBindMounts", ms: 200 },
    { phase: "unmountPromotable", task: "unmountPromotableSystemPartitions", ms: 200 },
    { phase: "unmountSystem", task: "unmountEphemeralPartition", ms: 500 },
    { phase: "volumeFinalize", task: "teardownLifecycle", ms: 300 },
    { phase: "upgrade", task: "upgrade", ms: 15000 },
    { phase: "meta", task: "reloadMeta", ms: 100 },
  ];
  if (rebootMode === "DEFAULT") phases.push({ phase: "kexec", task: "kexecPrepare", ms: 500 });
  phases.push({ phase: "stopEverything", task: "stopAllServices", ms: 1000 });
  phases.push({ phase: "reboot", task: "reboot", ms: 100 });
  return phases;
}

/**
 * The stageUpgrade sequence (Talos 1.12–1.14 `StageUpgrade`): stop everything and reboot; the installer runs on
 * the next boot (Install sequence), which then reboots into the new version.
 */
export function stageUpgradePhases(rebootMode: "DEFAULT" | "POWERCYCLE"): Phase[] {
  return [
    { phase: "cleanup", task: "stopAllPods", ms: 2000 },
    { phase: "dbus", task: "stopDBus", ms: 100 },
    { phase: "stopServices", task: "stopServicesEphemeral", ms: 1500 },
    { phase: "umount", task: "unmountPodMounts", ms: 300 },
    { phase: "unmountBind", task: "unmountSystemDiskBindMounts", ms: 200 },
    { phase: "unmountSystem", task: "unmountEphemeralPartition", ms: 500 },
    { phase: "volumeFinalize", task: "teardownLifecycle", ms: 300 },
    ...(rebootMode === "DEFAULT" ? [{ phase: "kexec", task: "kexecPrepare", ms: 500 }] : []),
    { phase: "stopEverything", task: "stopAllServices", ms: 1000 },
    { phase: "reboot", task: "reboot", ms: 100 },
  ];
}

/** Phase names a `upgrade-fail` fault can name for a staged upgrade: its own, or the install on the next boot. */
const STAGED_INSTALL_PHASES = new Set(["upgrade", "install"]);

/**
 * The stop-everything phases Talos's sequencer shares between reboot, shutdown and stageUpgrade
 * (v1alpha1_sequencer.go `stopAllPhaselist`), kexec only where asked.
 */
function stopAllPhases(kexec: boolean): Phase[] {
  return [
    { phase: "stopServices", task: "stopServicesEphemeral", ms: 1500 },
    { phase: "umount", task: "unmountPodMounts", ms: 300 },
    { phase: "unmountBind", task: "unmountSystemDiskBindMounts", ms: 200 },
    { phase: "unmountSystem", task: "unmountEphemeralPartition", ms: 500 },
    { phase: "volumeFinalize", task: "teardownLifecycle", ms: 300 },
    ...(kexec ? [{ phase: "kexec", task: "kexecPrepare", ms: 500 }] : []),
    { phase: "stopEverything", task: "stopAllServices", ms: 1000 },
  ];
}

/**
 * The reboot sequence (v1alpha1_sequencer.go `Reboot`): pods stopped where they stand, D-Bus, the
 * stop-everything phases, reboot. No cordon and no drain: whoever reboots a node of a Kubernetes
 * cluster drains it first (talosctl does, through the Kubernetes API). FORCE skips straight to reboot.
 */
export function rebootPhases(mode: "DEFAULT" | "POWERCYCLE" | "FORCE"): Phase[] {
  if (mode === "FORCE") return [{ phase: "reboot", task: "reboot", ms: 100 }];
  return [
    { phase: "cleanup", task: "stopAllPods", ms: 2000 },
    { phase: "dbus", task: "stopDBus", ms: 100 },
    ...stopAllPhases(mode === "DEFAULT"),
    { phase: "reboot", task: "reboot", ms: 100 },
  ];
}

/**
 * The shutdown sequence (v1alpha1_sequencer.go `Shutdown`): the power-off intent stored
 * (`storeShutdownEmergency`), then, unless `force`, machined's own cordon and drain (`CordonAndDrainNode`,
 * through the Kubernetes API, as in the legacy upgrade), pods stopped, D-Bus, the stop-everything phases
 * without kexec, and power off.
 */
export function shutdownPhases(force: boolean): Phase[] {
  return [
    { phase: "storeShutdown", task: "storeShutdownEmergency", ms: 10 },
    ...(force ? [] : [{ phase: "drain", task: "cordonAndDrainNode", ms: 3000 }]),
    { phase: "cleanup", task: "stopAllPods", ms: 2000 },
    { phase: "dbus", task: "stopDBus", ms: 100 },
    ...stopAllPhases(false),
    { phase: "shutdown", task: "shutdown", ms: 100 },
  ];
}

/** Runs the shutdown sequence; the machine then stays powered off until powered on (control API). */
export async function runShutdown(
  fleet: SimFleet,
  node: SimNode,
  actorId: string,
  force: boolean,
): Promise<void> {
  await runPhases(fleet, node, "shutdown", shutdownPhases(force), actorId, MachineStage.SHUTTING_DOWN);
  node.kubeletStopped = true;
  fleet.kube?.podsStopped(node, false);
  if (node.apiUp) fleet.setApi(node, false);
  node.sequence = null;
  node.poweredOff = true;
}

/** Power on a machine that was shut down: it boots (a new boot id), like after a reboot. */
export async function powerOn(fleet: SimFleet, node: SimNode): Promise<boolean> {
  if (!node.poweredOff) return false;
  node.poweredOff = false;
  node.stage = MachineStage.BOOTING;
  await fleet.clock.sleep(KERNEL_BOOT_MS);
  settleOnBoot(node);
  await bootNode(fleet, node);
  return true;
}

/**
 * The error text machined publishes for a failed sequence: Run() wraps run()'s error, which wraps the phase's
 * (`task i/n: failed, <reason>` from runPhase's errgroup).
 */
export function sequenceFailedMessage(phaseNumber: number, sequence: string, phaseError: string): string {
  return `sequence failed: error running phase ${phaseNumber} in ${sequence} sequence: ${phaseError}`;
}

function log(node: SimNode, msg: string): void {
  node.appendLog("machined", machinedLine(Date.now(), msg));
}

/** Starts a sequence unless another one runs; a conflict only shows as a LOCKED event, as in Talos. */
export function tryStartSequence(node: SimNode, sequence: string, actorId: string): boolean {
  if (node.sequence !== null) {
    node.emit(
      {
        type: "SequenceEvent",
        sequence,
        action: SequenceAction.NOOP,
        error: {
          code: ErrorCode.LOCKED,
          // machined: fmt.Sprintf("sequence not started: %s", runtime.ErrLocked.Error()), ErrLocked = "locked"
          message: "sequence not started: locked",
        },
      },
      actorId,
    );
    return false;
  }
  node.sequence = sequence;
  return true;
}

export interface UpgradeOptions {
  image: string;
  actorId: string;
  rebootMode: "DEFAULT" | "POWERCYCLE";
  stage: boolean;
  /** The request's entry in the node's upgrade record. */
  call?: UpgradeCall;
}

/** Runs the legacy upgrade sequence in the background of an Upgrade call (after tryStartSequence). */
export async function runUpgrade(fleet: SimFleet, node: SimNode, opts: UpgradeOptions): Promise<void> {
  const target = installerTag(opts.image);
  const failAt = node.faults.upgradeFailAt;
  if (failAt) delete node.faults.upgradeFailAt;
  if (opts.stage) {
    // machined writes the staged image to META before it runs stageUpgrade; the next boot installs it
    node.stagedImage = opts.image;
    const installFails = failAt !== undefined && STAGED_INSTALL_PHASES.has(failAt);
    const phases = stageUpgradePhases(opts.rebootMode);
    const failed = await runPhases(
      fleet,
      node,
      "stageUpgrade",
      phases,
      opts.actorId,
      MachineStage.UPGRADING,
      installFails ? undefined : failAt,
    );
    if (failed) {
      node.stagedImage = null; // simplified: a failed stageUpgrade boots the old version
      failCall(opts.call, failAt);
    }
    await rebootAndBoot(fleet, node, failed || installFails ? undefined : target, !failed);
    return;
  }
  const failed = await runPhases(
    fleet,
    node,
    "upgrade",
    upgradePhases(opts.rebootMode),
    opts.actorId,
    MachineStage.UPGRADING,
    failAt,
  );
  if (!failed) node.installedImage = opts.image;
  else failCall(opts.call, failAt);
  await rebootAndBoot(fleet, node, failed ? undefined : target, false);
}

function failCall(call: UpgradeCall | undefined, phase: string | undefined): void {
  if (call) endUpgradeCall(call, "failed", `the upgrade sequence failed at phase ${phase}`);
}

/** Runs the reboot sequence (Reboot RPC, after tryStartSequence). */
export async function runReboot(
  fleet: SimFleet,
  node: SimNode,
  actorId: string,
  mode: "DEFAULT" | "POWERCYCLE" | "FORCE",
): Promise<void> {
  await runPhases(fleet, node, "reboot", rebootPhases(mode), actorId, MachineStage.REBOOTING);
  const staged = node.stagedImage;
  const installed = node.installedImage;
  const target = installed ? installerTag(installed) : staged ? installerTag(staged) : undefined;
  await rebootAndBoot(fleet, node, target, staged !== null && !installed);
}

/** Returns true when the sequence failed (and the node is going to reboot on its old version). */
async function runPhases(
  fleet: SimFleet,
  node: SimNode,
  sequence: string,
  phases: Phase[],
  actorId: string,
  stage: number,
  failAt?: string,
): Promise<boolean> {
  const clock = fleet.clock;
  const seqStart = Date.now();
  node.emit({ type: "SequenceEvent", sequence, action: SequenceAction.START }, actorId);
  log(node, `${sequence} sequence: ${phases.length} phase(s)`);
  node.stage = stage;
  node.refreshStatus();
  let failed = false;
  for (const [i, p] of phases.entries()) {
    if (fleet.stopped) return true;
    node.emit({ type: "PhaseEvent", phase: p.phase, action: PhaseAction.START }, actorId);
    log(node, `phase ${p.phase} (${i + 1}/${phases.length}): 1 tasks(s)`);
    if (p.phase === "kexec") {
      node.stage = MachineStage.REBOOTING;
      node.refreshStatus();
    }
    node.emit({ type: "TaskEvent", task: p.task, action: TaskAction.START }, actorId);
    log(node, `task ${p.task} (1/1): starting`);
    const started = Date.now();
    if (p.task === "stopAllPods") {
      // StopAllPods shuts the kubelet down (graceful node shutdown), then stops every pod sandbox
      node.kubeletStopped = true;
      fleet.kube?.podsStopped(node, true);
    }
    if (p.task === "cordonAndDrainNode" && fleet.kube) {
      await fleet.kube.drain(node);
      if (failAt !== p.phase) {
        log(node, `task ${p.task} (1/1): done, ${goDuration((Date.now() - started) * clock.timeScale)}`);
        node.emit({ type: "TaskEvent", task: p.task, action: TaskAction.STOP }, actorId);
        node.emit({ type: "PhaseEvent", phase: p.phase, action: PhaseAction.STOP }, actorId);
        continue;
      }
    }
    if (p.task === "stopServicesForUpgrade" || p.task === "stopServicesEphemeral")
      stopServices(node, actorId, ["apid", "machined", "trustd"]);
    if (p.task === "stopAllServices") {
      stopServices(node, actorId, []);
      // let open streams deliver what was already emitted, then apid is gone: connections drop here
      await new Promise((r) => setTimeout(r, 20));
      fleet.setApi(node, false);
      node.emit({ type: "TaskEvent", task: p.task, action: TaskAction.STOP }, actorId);
      node.emit({ type: "PhaseEvent", phase: p.phase, action: PhaseAction.STOP }, actorId);
      await clock.sleep(p.ms);
      continue;
    }
    await clock.sleep(p.ms);
    if (failAt === p.phase) {
      // As machined's controller: the task's deferred STOP, the phase's, the sequence's STOP (deferred in run()),
      // then Run() publishes the error as SequenceEvent NOOP "sequence failed: <run()'s error>".
      const reason =
        p.task === "upgrade" ? "failed to run installer: exit status 1" : `${p.task}: injected failure`;
      log(node, `task ${p.task} (1/1): failed: ${reason}`);
      node.emit({ type: "TaskEvent", task: p.task, action: TaskAction.STOP }, actorId);
      node.emit({ type: "PhaseEvent", phase: p.phase, action: PhaseAction.STOP }, actorId);
      log(node, `phase ${p.phase} (${i + 1}/${phases.length}): failed`);
      node.emit({ type: "SequenceEvent", sequence, action: SequenceAction.STOP }, actorId);
      log(node, `${sequence} sequence: failed`);
      node.emit(
        {
          type: "SequenceEvent",
          sequence,
          action: SequenceAction.NOOP,
          error: {
            code: ErrorCode.FATAL,
            message: sequenceFailedMessage(i + 1, sequence, `task 1/1: failed, ${reason}`),
          },
        },
        actorId,
      );
      failed = true;
      node.stage = MachineStage.REBOOTING;
      node.refreshStatus();
      await clock.sleep(1000);
      stopServices(node, actorId, []);
      await new Promise((r) => setTimeout(r, 20));
      fleet.setApi(node, false);
      break;
    }
    if (p.task === "shutdown") node.emit({ type: "RestartEvent", cmd: RestartCmd.POWER_OFF }, actorId);
    if (p.task === "reboot") {
      node.emit(
        {
          type: "RestartEvent",
          cmd:
            node.stage === MachineStage.REBOOTING && phases.some((x) => x.phase === "kexec")
              ? RestartCmd.KEXEC
              : RestartCmd.RESTART,
        },
        actorId,
      );
    }
    log(node, `task ${p.task} (1/1): done, ${goDuration((Date.now() - started) * clock.timeScale)}`);
    node.emit({ type: "TaskEvent", task: p.task, action: TaskAction.STOP }, actorId);
    node.emit({ type: "PhaseEvent", phase: p.phase, action: PhaseAction.STOP }, actorId);
  }
  if (!failed) {
    node.emit({ type: "SequenceEvent", sequence, action: SequenceAction.STOP }, actorId);
    log(node, `${sequence} sequence: done: ${goDuration((Date.now() - seqStart) * clock.timeScale)}`);
  }
  return failed;
}

function stopServices(node: SimNode, actorId: string, keep: string[]): void {
  for (const def of node.serviceDefs()) {
    if (keep.includes(def.id)) continue;
    node.emit(
      { type: "ServiceStateEvent", service: def.id, action: 4, message: "Sending SIGTERM to task" },
      actorId,
    );
    node.emit(
      { type: "ServiceStateEvent", service: def.id, action: 5, message: "Service finished successfully" },
      actorId,
    );
  }
  if (!keep.includes("kubelet")) node.kubeletStopped = true;
  if (keep.length === 0) node.servicesStopped = true;
  node.refreshStatus();
}

/** The machine is down for the kernel boot, then boots `version` (or stays down for ever). */
async function rebootAndBoot(
  fleet: SimFleet,
  node: SimNode,
  version: string | undefined,
  staged: boolean,
): Promise<void> {
  // a machine going down stops its pods, whether or not a StopAllPods task ran (FORCE, failures)
  node.kubeletStopped = true;
  fleet.kube?.podsStopped(node, false);
  if (node.apiUp) fleet.setApi(node, false);
  node.sequence = null;
  await fleet.clock.sleep(KERNEL_BOOT_MS);
  if (fleet.stopped) return;
  if (node.faults.neverComeBack) {
    node.stage = MachineStage.REBOOTING;
    return;
  }
  if (staged) {
    // The staged install runs on the next boot (initialize, then the Install sequence, stage INSTALLING at its
    // install phase) before apid starts; that boot then reboots into the new version: two reboots in all. A
    // failing install clears the staged image and the node boots its old version.
    node.newBoot();
    node.stage = MachineStage.INSTALLING;
    log(node, `performing staged upgrade via "${node.stagedImage}"`);
    await fleet.clock.sleep(15_000);
    log(node, version ? "staged upgrade successful" : "Talos staged upgrade failed");
    await fleet.clock.sleep(KERNEL_BOOT_MS); // (stays INSTALLING: nobody can ask, apid is not up)
    node.stagedImage = null;
    if (fleet.stopped) return;
  }
  let next = version;
  if (node.faults.comeBackOldVersion) {
    next = undefined;
    delete node.faults.comeBackOldVersion;
  }
  if (next && next !== node.talosVersion) {
    node.previousVersion = node.talosVersion;
    node.talosVersion = next;
  }
  node.installedImage = null;
  settleOnBoot(node);
  await bootNode(fleet, node);
}

/** A live boot: fresh boot id and empty ring, initialize and boot sequences, apid back at startAllServices. */
export async function bootNode(fleet: SimFleet, node: SimNode): Promise<void> {
  const clock = fleet.clock;
  node.newBoot();
  node.sequence = "boot";
  node.servicesStopped = false;
  node.servicesPending = true;
  node.stage = MachineStage.BOOTING;
  log(node, `talos version: ${node.talosVersion}`);
  let elapsed = 0;
  for (const step of bootScript(node.spec.role)) {
    if (fleet.stopped) return;
    if (step.at > elapsed) {
      await clock.sleep(step.at - elapsed);
      elapsed = step.at;
    }
    switch (step.kind) {
      case "event":
        node.emit(step.payload);
        if (
          step.payload.type === "SequenceEvent" &&
          step.payload.sequence === "initialize" &&
          step.payload.action === SequenceAction.START
        ) {
          node.refreshStatus();
        }
        break;
      case "apid-up":
        if (!node.faults.unreachable && !node.faults.left) fleet.setApi(node, true);
        break;
      case "services-up":
        node.servicesPending = false;
        for (const def of node.serviceDefs()) {
          for (const e of startupServiceEvents(def, Date.now(), 0)) {
            node.emit({
              type: "ServiceStateEvent",
              service: def.id,
              action:
                { Waiting: 2, Preparing: 1, Running: 3 }[e.state as "Waiting" | "Preparing" | "Running"] ?? 3,
              message: e.msg.replace(" (PID 0)", ""),
              health: e.msg.startsWith("Health") ? healthyData(def, Date.now()) : undefined,
            });
          }
        }
        node.emit({ type: "AddressEvent", hostname: node.hostname, addresses: [node.address] });
        node.refreshStatus();
        break;
      case "running":
        node.stage = MachineStage.RUNNING;
        node.sequence = null;
        node.refreshStatus();
        log(node, "boot sequence: done");
        break;
    }
  }
}
