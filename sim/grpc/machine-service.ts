// machine.MachineService for the simulated nodes: each method is a node-level handler routed by the Director.
import { status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { Data } from "@/proto/generated/common/common";
import {
  ApplyConfiguration,
  Container,
  EtcdMembers,
  EtcdStatus,
  Event,
  Hostname,
  LogsContainer,
  type MachineServiceServer,
  Memory,
  Reboot,
  RebootRequest_Mode,
  Rollback,
  ServiceList,
  ServiceRestart,
  Shutdown,
  SystemStat,
  Upgrade,
  UpgradeRequest_RebootMode,
  Version,
} from "@/proto/generated/machine/machine";
import { releaseOf } from "../catalog";
import { uuid, xid } from "../ids";
import { runReboot, runShutdown, runUpgrade, tryStartSequence } from "../lifecycle";
import { machinedLine } from "../log-formats";
import { applyConfig } from "../machine-config";
import type { SimNode } from "../node";
import { cpuStats, dmesgRecords, etcdMembers, etcdStatus, formatKernelRecord, memInfo } from "../node-info";
import { logIds } from "../node-logs";
import { restartableViaApi } from "../services";
import { endUpgradeCall, recordUpgradeCall } from "../upgrade-calls";
import type { Director } from "./director";
import { helloEvent, toEventMessage } from "./event-codec";
import { streamLog, waitAbort } from "./log-stream";
import { statusError } from "./status";

const M = "/machine.MachineService/";

export function machineService(d: Director): MachineServiceServer & UntypedServiceImplementation {
  return {
    version: d.unary(`${M}Version`, Version, async (_req, { node }) => {
      const r = releaseOf(node.talosVersion);
      return [
        {
          version: {
            tag: node.talosVersion,
            sha: r.sha,
            built: "",
            goVersion: r.goVersion,
            os: "linux",
            arch: "amd64",
          },
          platform: node.spec.platform,
          features: { rbac: true },
        },
      ];
    }),

    hostname: d.unary(`${M}Hostname`, Hostname, async (_req, { node }) => [{ hostname: node.hostname }]),

    serviceList: d.unary(`${M}ServiceList`, ServiceList, async (_req, { node }) => [
      {
        services: node.services().map((s) => ({
          id: s.id,
          state: s.state,
          events: { events: s.events.slice(-64) },
          health: s.health,
        })),
      },
    ]),

    serviceRestart: d.unary(`${M}ServiceRestart`, ServiceRestart, async (req, { node, fleet }) => {
      const def = node.serviceDefs().find((s) => s.id === req.id);
      if (!def) throw statusError(status.UNKNOWN, `service "${req.id}" not defined`);
      if (!restartableViaApi(req.id)) {
        throw statusError(status.UNKNOWN, `service "${req.id}" doesn't support restart operation via API`);
      }
      const previous = node.service(def).events;
      const now = new Date();
      node.emitServiceState(req.id, "Stopping", "Service is stopping");
      node.emitServiceState(req.id, "Finished", "Service finished successfully");
      node.appendLog(
        "machined",
        machinedLine(
          now.getTime(),
          `service[${req.id}](Stopping): Sending SIGTERM to task ${req.id} (PID 2174, container ${req.id})`,
        ),
      );
      node.setServiceOverride(req.id, {
        state: "Preparing",
        health: { unknown: false, healthy: false, lastMessage: "", lastChange: now },
        events: [...previous, { msg: "Running pre state", state: "Preparing", ts: now }],
      });
      node.refreshStatus();
      const t = setTimeout(() => {
        node.setServiceOverride(req.id, null);
        node.emitServiceState(req.id, "Running", `Started task ${req.id} for container ${req.id}`);
        node.appendLog(
          "machined",
          machinedLine(Date.now(), `service[${req.id}](Running): Health check successful`),
        );
        node.refreshStatus();
      }, fleet.clock.real(3000));
      t.unref();
      return [{ resp: `Service "${req.id}" restarted` }];
    }),

    logsContainers: d.unary(`${M}LogsContainers`, LogsContainer, async (_req, { node }) => [
      { ids: logIds(node) },
    ]),

    logs: d.stream(`${M}Logs`, Data, async (req, { node, signal }, send) => {
      node.openLogStreams++;
      try {
        await streamLog(node, req, (bytes) => send({ metadata: undefined, bytes }), signal);
      } finally {
        node.openLogStreams--;
      }
    }),

    dmesg: d.stream(`${M}Dmesg`, Data, async (req, { node, signal }, send) => {
      node.openLogStreams++;
      try {
        await streamDmesg(node, req, send, signal);
      } finally {
        node.openLogStreams--;
      }
    }),

    events: d.stream(`${M}Events`, Event, async (req, { node, signal }, send) => {
      const ring = node.events();
      const set = [req.tailEvents !== 0, req.tailId !== "", req.tailSeconds !== 0].filter(Boolean).length;
      if (req.tailId && !/^[0-9a-v]{20}$/.test(req.tailId))
        throw new Error("error parsing tail_id: xid: invalid ID");
      // machined's event watcher refuses combinations (a Go error: gRPC code Unknown)
      if (set > 1) throw new Error("WithTailEvents, WithTailID and WithTailDuration are mutually exclusive");
      const match = (actor: string) => !req.withActorId || actor === req.withActorId;
      send(helloEvent(xid(), req.withActorId));
      const queue: Event[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = ring.subscribe((e) => {
        if (!match(e.actorId)) return;
        queue.push(toEventMessage(e));
        wake?.();
      });
      try {
        for (const e of ring.history(req)) if (match(e.actorId)) send(toEventMessage(e));
        const aborted = waitAbort(signal);
        while (!signal.aborted) {
          while (queue.length > 0) {
            const next = queue.shift();
            if (next) send(next);
          }
          await Promise.race([
            aborted,
            new Promise<void>((r) => {
              wake = r;
            }),
          ]);
          wake = null;
        }
      } finally {
        unsubscribe();
      }
    }),

    upgrade: d.unary(`${M}Upgrade`, Upgrade, async (req, { node, fleet, signal }) => {
      const actorId = uuid();
      node.appendLog(
        "machined",
        machinedLine(
          Date.now(),
          `upgrade request received: staged ${req.stage}, force ${req.force}, reboot mode ${UpgradeRequest_RebootMode[req.rebootMode] ?? "DEFAULT"}`,
        ),
      );
      node.appendLog("machined", machinedLine(Date.now(), `validating "${req.image}"`));
      const call = recordUpgradeCall(node, "MachineService.Upgrade", req.image);
      try {
        await fleet.registry.pull(req.image, undefined, signal);
      } catch (err) {
        const message = `error validating installer image "${req.image}": ${(err as Error).message}`;
        if (signal.aborted)
          endUpgradeCall(call, "cancelled", "the caller went away while the installer was pulled");
        else endUpgradeCall(call, "refused", message);
        throw new Error(message);
      }
      node.markPulled(req.image);
      if (node.isControlPlane && !req.force) {
        const busy = fleet
          .cluster(node)
          .nodes.find((n) => n !== node && n.isControlPlane && n.sequence === "upgrade");
        if (busy) {
          endUpgradeCall(call, "refused", "failed to acquire upgrade mutex: locked");
          throw new Error("failed to acquire upgrade mutex: locked");
        }
      }
      if (tryStartSequence(node, req.stage ? "stageUpgrade" : "upgrade", actorId)) {
        endUpgradeCall(call, "running");
        void runUpgrade(fleet, node, {
          image: req.image,
          actorId,
          rebootMode: req.rebootMode === UpgradeRequest_RebootMode.POWERCYCLE ? "POWERCYCLE" : "DEFAULT",
          stage: req.stage,
          call,
        });
      } else endUpgradeCall(call, "refused", "sequence not started: locked");
      return [{ ack: "Upgrade request received", actorId }];
    }),

    reboot: d.unary(`${M}Reboot`, Reboot, async (req, { node, fleet }) => {
      const actorId = uuid();
      if (tryStartSequence(node, "reboot", actorId)) {
        const mode =
          req.mode === RebootRequest_Mode.FORCE
            ? "FORCE"
            : req.mode === RebootRequest_Mode.POWERCYCLE
              ? "POWERCYCLE"
              : "DEFAULT";
        void runReboot(fleet, node, actorId, mode);
      }
      return [{ actorId }];
    }),

    shutdown: d.unary(`${M}Shutdown`, Shutdown, async (req, { node, fleet }) => {
      const actorId = uuid();
      if (tryStartSequence(node, "shutdown", actorId)) void runShutdown(fleet, node, actorId, req.force);
      return [{ actorId }];
    }),

    rollback: d.unary(`${M}Rollback`, Rollback, async (_req, { node, fleet }) => {
      if (!node.previousVersion) throw new Error("cannot rollback: no previous boot entry found");
      node.installedImage = `ghcr.io/siderolabs/installer:${node.previousVersion}`;
      const actorId = uuid();
      if (tryStartSequence(node, "reboot", actorId)) void runReboot(fleet, node, actorId, "POWERCYCLE");
      return [{}];
    }),

    etcdStatus: d.unary(`${M}EtcdStatus`, EtcdStatus, async (_req, { node, cluster }) => {
      if (!node.isControlPlane)
        throw statusError(status.UNIMPLEMENTED, "etcd status is only available on control plane nodes");
      return [{ memberStatus: etcdStatus(node, cluster) }];
    }),

    etcdMemberList: d.unary(`${M}EtcdMemberList`, EtcdMembers, async (_req, { node, cluster }) => {
      if (!node.isControlPlane)
        throw statusError(status.UNIMPLEMENTED, "member list is only available on control plane nodes");
      return [{ legacyMembers: [], members: etcdMembers(cluster) }];
    }),

    memory: d.unary(`${M}Memory`, Memory, async (_req, { node }) => [{ meminfo: memInfo(node) }]),

    systemStat: d.unary(`${M}SystemStat`, SystemStat, async (_req, { node }) => {
      const { cpuTotal, cpu } = cpuStats(node);
      const up = Math.floor((Date.now() - node.bootTimeMs) / 1000);
      return [
        {
          bootTime: String(Math.floor(node.bootTimeMs / 1000)),
          cpuTotal,
          cpu,
          irqTotal: String(up * 900),
          irq: [],
          contextSwitches: String(up * 4200),
          processCreated: String(up * 3 + 4000),
          processRunning: "2",
          processBlocked: "0",
          softIrqTotal: String(up * 600),
        },
      ];
    }),

    containers: d.unary(`${M}Containers`, Container, async (req, { node }) => {
      const k8s = req.namespace === "k8s.io";
      const ids = k8s
        ? [
            ...(node.isControlPlane ? ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] : []),
            "kube-proxy",
            "kube-flannel",
          ]
        : node
            .serviceDefs()
            .filter((s) => !["machined", "apid", "trustd", "dashboard"].includes(s.id))
            .map((s) => s.id);
      return [
        {
          containers: ids.map((id, i) => ({
            namespace: k8s ? "k8s.io" : "system",
            id: k8s ? `kube-system/${id}-${node.hostname}` : id,
            image: k8s
              ? `registry.k8s.io/${id}:${node.kubernetesVersion}`
              : `ghcr.io/siderolabs/${id}:${node.talosVersion}`,
            pid: 1200 + i * 37,
            status: "CONTAINER_RUNNING",
            podId: k8s ? `${id}-${node.hostname}` : "",
            name: id,
            networkNamespace: "",
            internalId: "",
            uid: "",
          })),
        },
      ];
    }),

    // machined's Kubeconfig: control planes only (machinehelper.CheckControlplane), one message of .tar.gz bytes
    kubeconfig: d.stream(`${M}Kubeconfig`, Data, async (_req, { node, fleet, cluster }, send) => {
      if (!node.isControlPlane)
        throw statusError(status.UNIMPLEMENTED, "kubeconfig is only available on control plane nodes");
      if (!fleet.kube) throw statusError(status.FAILED_PRECONDITION, "k8s API server CA config is not set");
      send({ metadata: undefined, bytes: await fleet.kube.kubeconfig(cluster) });
    }),

    applyConfiguration: d.unary(`${M}ApplyConfiguration`, ApplyConfiguration, async (req, { node }) => {
      const result = applyConfig(node, req.data, req.dryRun);
      return [{ warnings: [], mode: req.mode, modeDetails: result }];
    }),
  };
}

/** Kernel messages as machined sends them: one record per message, the ring unless `tail`, then new ones. */
async function streamDmesg(
  node: SimNode,
  req: { tail: boolean; follow: boolean },
  send: (m: Data) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!req.tail) {
    for (const r of dmesgRecords(node))
      send({ metadata: undefined, bytes: Buffer.from(formatKernelRecord(r)) });
  }
  if (!req.follow) return;
  const timer = setInterval(
    () =>
      send({
        metadata: undefined,
        bytes: Buffer.from(
          formatKernelRecord({
            t: Date.now(),
            facility: "kern",
            priority: "info",
            msg: "cni0: port 2(veth3a1b2c) entered forwarding state",
          }),
        ),
      }),
    Math.max(200, node.env.clock.real(60_000)),
  );
  try {
    await waitAbort(signal);
  } finally {
    clearInterval(timer);
  }
}
