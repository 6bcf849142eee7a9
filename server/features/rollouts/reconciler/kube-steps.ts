// The Kubernetes side of upgrading one machine, as talosctl does it around a reboot: before the Reboot
// request, cordon the node (marked as this rollout's) and drain it through the Eviction API, honouring
// disruption budgets; after the node is back on a new boot, wait until Kubernetes reports it Ready on that
// boot, then lift this rollout's cordon (and one Talos's own drain left, on the legacy path). A drain that
// does not finish in time lifts the cordon and stops before the reboot; a cordon someone else set is left.
import {
  type CordonResult,
  cordon,
  cordonOf,
  type DrainProgress,
  DrainTimeoutError,
  describeCordon,
  describeReadiness,
  drain,
  KubeError,
  NodeNotReadyError,
  readinessOf,
  uncordon,
  waitNodeReady,
} from "../../../kubernetes";
import type { SafetySettings } from "../../../model/rollout-safety";
import { sleep } from "../../../platform/pacing";
import type { TalosClient } from "../../../talos";
import type { KubeClients } from "../../kubernetes/kube-clients";

/** What a rollout asks of Kubernetes around each reboot. */
export interface KubeGate {
  /** Written on the nodes it cordons: "rollout/<id>". */
  owner: string;
  drain: boolean;
  drainTimeoutMs: number;
  nodeReadyTimeoutMs: number;
  /** Between refused evictions, and between readiness checks (talosctl: 5 s). */
  pollMs: number;
}

export function kubeGateOf(rolloutId: string, safety: SafetySettings, pollMs: number): KubeGate {
  return {
    owner: `rollout/${rolloutId}`,
    drain: safety.drain,
    drainTimeoutMs: safety.drainTimeoutMinutes * 60_000,
    nodeReadyTimeoutMs: safety.nodeReadyTimeoutMinutes * 60_000,
    pollMs,
  };
}

export interface NodeSteps {
  kube: KubeClients;
  talos: TalosClient;
  cluster: string;
  /** The machine's Talos address. */
  address: string;
  gate: KubeGate;
  signal: AbortSignal;
  /**
   * Aborted when the rollout is aborted: a drain under way stops, this rollout's cordon is lifted and the
   * node is not rebooted (unlike `signal`, which leaves the cordon for the next holder of the lease).
   */
  stop?: AbortSignal;
  /** What the machine's row says meanwhile. */
  progress(text: string): void;
}

/** A drain that did not complete: the node was not rebooted (and its cordon, if Minos set it, was lifted). */
export class DrainFailedError extends Error {
  override name = "DrainFailedError";
}

/** The rollout was aborted during the drain: the node was not rebooted (and Minos's cordon was lifted). */
export class DrainStoppedError extends Error {
  override name = "DrainStoppedError";
}

/** On the lifecycle path the installer already ran: what that means once the node is not rebooted. */
const INSTALLED_NOTE = "the new version is installed and takes effect at the machine's next reboot";
/** The same, when this instance cannot know whether an earlier holder ran the installer. */
const INSTALLED_NOTE_IF = "if the new version was installed, it takes effect at the machine's next reboot";

/**
 * Cordons and drains the node; throws DrainFailedError (after lifting its own cordon) when it cannot.
 * Returns how long the drain took, and the boot id the Node reported before the reboot (to tell its new
 * boot from a stale Ready).
 */
export async function drainBeforeReboot(
  s: NodeSteps & { guard: () => void },
): Promise<{ ms: number; nodeBootIdBefore?: string }> {
  let name: string;
  let kubeClient: Awaited<ReturnType<KubeClients["get"]>>;
  try {
    name = await s.talos.nodename({ node: s.address, signal: s.signal });
    kubeClient = await s.kube.get(s.cluster);
  } catch (err) {
    if (s.signal.aborted) throw err;
    throw new DrainFailedError(`cannot drain before the reboot, so it was not rebooted: ${messageOf(err)}`);
  }
  if (s.stop?.aborted) throw new DrainStoppedError(await abandonBeforeReboot(s, { name, installed: true }));
  s.progress(`cordoning node ${name}`);
  s.guard();
  let held: CordonResult;
  try {
    held = await cordon(kubeClient, name, s.gate.owner, { signal: s.signal });
  } catch (err) {
    if (s.signal.aborted) throw err;
    throw new DrainFailedError(`cannot cordon node ${name}, so it was not rebooted: ${messageOf(err)}`);
  }
  const by = held.cordoned === "by-us" ? "cordoned" : `already ${describeCordon(held.who)} (left so)`;
  s.progress(`${by}; draining node ${name}`);
  let ms: number;
  try {
    ({ ms } = await drain(kubeClient, name, {
      timeoutMs: s.gate.drainTimeoutMs,
      retryMs: s.gate.pollMs,
      signal: s.stop ? AbortSignal.any([s.signal, s.stop]) : s.signal,
      guard: s.guard,
      onProgress: (p) => s.progress(`${by}; ${drainText(p)}`),
    }));
    if (s.stop?.aborted) throw s.stop.reason;
  } catch (err) {
    // Stopped (lease lost, instance stopping): the cordon stays for the next holder, who drains again.
    if (s.signal.aborted) throw err;
    const lifted =
      held.cordoned === "by-us" ? await liftCordon(s, name) : "its cordon was someone else's and stays";
    if (s.stop?.aborted) {
      throw new DrainStoppedError(
        `rollout aborted during the drain: not rebooted and ${lifted}; ${INSTALLED_NOTE}`,
      );
    }
    const what =
      err instanceof DrainTimeoutError
        ? `drain timed out: ${err.message}`
        : `drain failed: ${messageOf(err)}`;
    throw new DrainFailedError(`${what}; the node was not rebooted and ${lifted}; ${INSTALLED_NOTE}`);
  }
  s.progress(`${by}; drained; rebooting`);
  const bootId = readinessOf(await kubeClient.getNode(name, { signal: s.signal })).bootId;
  return { ms, nodeBootIdBefore: bootId || undefined };
}

/**
 * After the reboot: waits until the node is Ready in Kubernetes on its new boot, then lifts this rollout's
 * cordon (and, with `talosToo`, one Talos's own drain left). Returns the outcome in words; throws when the
 * node does not become Ready in time (after lifting this rollout's cordon: the not-ready taints keep
 * pods off it meanwhile).
 */
export async function readyAfterReboot(
  s: NodeSteps & { bootId: string; nodeBootIdBefore?: string; since: Date; talosToo: boolean },
): Promise<string> {
  const started = Date.now();
  const left = () => Math.max(1, s.gate.nodeReadyTimeoutMs - (Date.now() - started));
  let name: string | undefined;
  let kubeClient: Awaited<ReturnType<KubeClients["get"]>> | undefined;
  // The Kubernetes API may be down a while (a control plane rebooted): keep asking until the timeout.
  for (;;) {
    try {
      name ??= await s.talos.nodename({ node: s.address, signal: s.signal });
      kubeClient = await s.kube.get(s.cluster);
      break;
    } catch (err) {
      if (s.signal.aborted) throw err;
      if (Date.now() - started >= s.gate.nodeReadyTimeoutMs) {
        throw new NodeNotReadyError(name ?? s.address, s.gate.nodeReadyTimeoutMs, undefined);
      }
      s.progress(`back on Talos; waiting for the Kubernetes API (${messageOf(err)})`);
      await sleep(Math.min(s.gate.pollMs, left()), s.signal);
    }
  }
  try {
    await waitNodeReady(kubeClient, name, {
      timeoutMs: left(),
      // Each second: a node's next step waits on it (talosctl polls every 5 s).
      pollMs: Math.min(s.gate.pollMs, 1_000),
      bootId: s.bootId,
      nodeBootIdBefore: s.nodeBootIdBefore,
      since: s.since,
      signal: s.signal,
      onProgress: (r, error) =>
        s.progress(
          `back on Talos; waiting for node ${name} to be Ready in Kubernetes (${error ?? (r ? describeReadiness(r) : "not seen yet")})`,
        ),
    });
  } catch (err) {
    if (s.signal.aborted) throw err;
    if (err instanceof NodeNotReadyError) {
      await uncordon(kubeClient, name, s.gate.owner, { signal: s.signal }).catch(() => undefined);
    }
    throw err;
  }
  const after = await uncordon(kubeClient, name, s.gate.owner, { talosToo: s.talosToo, signal: s.signal });
  return after.kind === "none"
    ? `Ready in Kubernetes and schedulable`
    : `Ready in Kubernetes; ${describeCordon(after)}, left so`;
}

/**
 * The rollout was aborted before this node's reboot (before its drain began, or a takeover found it not
 * yet rebooted): lifts this rollout's cordon, if one was left, and says where the machine stands.
 * `installed`: this instance ran the installer (otherwise an earlier holder may have).
 */
export async function abandonBeforeReboot(
  s: NodeSteps,
  o: { name?: string; installed: boolean },
): Promise<string> {
  const installed = o.installed ? INSTALLED_NOTE : INSTALLED_NOTE_IF;
  let name = o.name;
  let state: string;
  try {
    name ??= await s.talos.nodename({ node: s.address, signal: s.signal });
    const kubeClient = await s.kube.get(s.cluster);
    const before = cordonOf(await kubeClient.getNode(name, { signal: s.signal }));
    const after = await uncordon(kubeClient, name, s.gate.owner, { signal: s.signal });
    state =
      after.kind !== "none"
        ? `node ${name} is ${describeCordon(after)}`
        : before.kind === "none"
          ? `node ${name} was not cordoned`
          : `node ${name} was uncordoned`;
  } catch (err) {
    state = `the node could not be checked (${messageOf(err)}): uncordon it by hand if it is cordoned for this rollout`;
  }
  return `rollout aborted before the reboot: not rebooted; ${state}; ${installed}`;
}

async function liftCordon(s: NodeSteps, name: string): Promise<string> {
  try {
    const kubeClient = await s.kube.get(s.cluster);
    const after = await uncordon(kubeClient, name, s.gate.owner, { signal: s.signal });
    return after.kind === "none" ? "was uncordoned" : `is ${describeCordon(after)}`;
  } catch (err) {
    return `could not be uncordoned (${messageOf(err)}): uncordon ${name} by hand`;
  }
}

/** "draining: 2 of 5 pods left; waiting: PDB shop/tills-pdb allows 0 disruptions (2 of 2 healthy required)" */
export function drainText(p: DrainProgress): string {
  const left = `draining: ${p.left} of ${p.total} ${p.total === 1 ? "pod" : "pods"} left`;
  return p.blocked.length ? `${left}; waiting: ${p.blocked.join("; ")}` : left;
}

function messageOf(err: unknown): string {
  if (err instanceof KubeError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
