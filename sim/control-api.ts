// The simulator's HTTP JSON control API on loopback: fleet listing, node state, registry stats and fault injection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultError } from "./faults";
import type { SimFleet } from "./fleet";
import type { KubeFleet } from "./kube";
import { bootNode, powerOn } from "./lifecycle";
import type { SimNode } from "./node";
import { hasLog } from "./node-logs";
import { MACHINE_STAGE_NAMES, MachineStage } from "./wire";

function nodeSummary(node: SimNode) {
  const s = node.machineStatus();
  return {
    hostname: node.hostname,
    address: node.address,
    role: node.spec.role,
    cluster: node.spec.clusterName,
    talosVersion: node.talosVersion,
    kubernetesVersion: node.kubernetesVersion,
    stage: MACHINE_STAGE_NAMES[s.stage] ?? "UNKNOWN",
    ready: s.ready,
    apiUp: node.apiUp,
    faults: node.faults,
  };
}

function nodeDetail(node: SimNode) {
  return {
    ...nodeSummary(node),
    bootId: node.bootId,
    bootTime: new Date(node.bootTimeMs).toISOString(),
    bootCount: node.bootCount,
    unmetConditions: node.machineStatus().unmetConditions,
    sequence: node.sequence,
    poweredOff: node.poweredOff,
    previousVersion: node.previousVersion,
    services: node
      .services()
      .map((s) => ({ id: s.id, state: s.state, healthy: s.health.healthy, unknown: s.health.unknown })),
    events: node.hasRing() ? node.events().size : 0,
    openLogStreams: node.openLogStreams,
    upgradeCalls: node.upgradeCalls,
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = "";
  for await (const chunk of req) body += chunk;
  if (!body.trim()) return {};
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new FaultError("body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

/** Clearing a fault may bring a node back: unreachable apid answers again, a node that never came back boots. */
function afterClear(fleet: SimFleet, node: SimNode): void {
  if (
    node.apiUp ||
    node.poweredOff ||
    node.faults.unreachable ||
    node.faults.left ||
    node.faults.neverComeBack
  )
    return;
  if (node.stage === MachineStage.REBOOTING) {
    // stuck after a reboot (never-back cleared): boot now; otherwise it is going down anyway
    if (node.sequence === null) void bootNode(fleet, node);
    return;
  }
  if (node.stage === MachineStage.INSTALLING || node.servicesPending) return; // apid not started yet
  node.apiUp = true;
}

/**
 * Writes lines into a node's log as its service would: `{"lines": [text, …]}` or, for bytes that are
 * not valid UTF-8, `{"base64": [line, …]}`. Followers receive them like any new line.
 */
function appendLines(node: SimNode, id: string, body: Record<string, unknown>): number {
  if (!hasLog(node, id)) throw new FaultError(`log "${id}" is not registered on ${node.hostname}`);
  const list = (k: string): string[] => {
    const v = body[k];
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    throw new FaultError(`${k} must be an array of strings`);
  };
  const t = Date.now();
  const lines = [
    ...list("lines").map((text) => ({ t, text })),
    ...list("base64").map((b) => {
      const raw = Buffer.from(b, "base64");
      return { t, text: raw.toString("utf8"), raw };
    }),
  ];
  if (lines.length === 0) throw new FaultError("give lines or base64");
  node.appendLogLines(id, lines);
  return lines.length;
}

export async function startControlApi(
  fleet: SimFleet,
  port: number,
  kube?: KubeFleet,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const handle = async () => {
      if (req.method === "GET" && url.pathname === "/health") return send(res, 200, { ok: true });
      if (req.method === "GET" && url.pathname === "/fleet") {
        return send(res, 200, {
          clusters: fleet.clusters.map((c) => ({
            name: c.spec.name,
            endpoint: c.endpoint.address,
            nodes: c.nodes.map(nodeSummary),
          })),
        });
      }
      if (req.method === "GET" && url.pathname === "/upgrades") {
        const nodes = fleet.clusters
          .flatMap((c) => c.nodes)
          .filter((n) => n.upgradeCalls.length > 0)
          .map((n) => ({ hostname: n.hostname, address: n.address, calls: n.upgradeCalls }));
        return send(res, 200, { nodes });
      }
      if (req.method === "GET" && url.pathname === "/registry") return send(res, 200, fleet.registry.stats());
      if (req.method === "POST" && parts[0] === "kube" && parts[2] === "kubeconfig" && kube) {
        const c = fleet.clusters.find((x) => x.spec.name === parts[1]);
        if (!c) return send(res, 404, { error: `no cluster "${parts[1]}"` });
        const body = await readJson(req);
        const user = typeof body.user === "string" && body.user ? body.user : "fleet-reader";
        const groups = Array.isArray(body.groups) ? body.groups.map(String) : ["fleet:readers"];
        return send(res, 200, { kubeconfig: await kube.kubeconfigText(c, { user, groups }) });
      }
      if (req.method === "GET" && parts[0] === "kube" && kube) {
        if (parts.length === 1) return send(res, 200, kube.stats());
        const c = fleet.clusters.find((x) => x.spec.name === parts[1]);
        if (!c || parts.length > 2) return send(res, 404, { error: `no cluster "${parts[1]}"` });
        return send(res, 200, kube.summary(c));
      }
      if (req.method === "POST" && url.pathname === "/registry/reset") {
        fleet.registry.resetStats();
        return send(res, 200, fleet.registry.stats());
      }
      if (parts[0] === "nodes" && parts[1]) {
        const node = fleet.find(parts[1]);
        if (!node) return send(res, 404, { error: `no node with address or hostname "${parts[1]}"` });
        if (parts.length === 2 && req.method === "GET") return send(res, 200, nodeDetail(node));
        if (parts[2] === "faults" && req.method === "GET") return send(res, 200, node.faults);
        if (parts[2] === "power-on" && req.method === "POST") {
          if (!node.poweredOff) return send(res, 409, { error: `${node.spec.hostname} is not powered off` });
          void powerOn(fleet, node);
          return send(res, 202, { poweringOn: node.spec.hostname });
        }
        if (parts[2] === "logs" && parts[3] && req.method === "POST") {
          return send(res, 200, { appended: appendLines(node, parts[3], await readJson(req)) });
        }
        if (parts[2] === "faults" && req.method === "POST") {
          const faults = fleet.setFault(node, await readJson(req));
          return send(res, 200, faults);
        }
        if (parts[2] === "faults" && req.method === "DELETE") {
          const faults = fleet.clearFault(
            node,
            parts[3] ?? url.searchParams.get("kind") ?? undefined,
            url.searchParams.get("service") ?? undefined,
          );
          afterClear(fleet, node);
          return send(res, 200, faults);
        }
      }
      if (req.method === "POST" && url.pathname === "/faults") {
        const body = await readJson(req);
        const node = typeof body.node === "string" ? fleet.find(body.node) : undefined;
        if (!node) return send(res, 404, { error: `no node "${String(body.node)}"` });
        return send(res, 200, fleet.setFault(node, body));
      }
      return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    };
    handle().catch((err: unknown) => {
      const bad = err instanceof FaultError || err instanceof SyntaxError;
      send(res, bad ? 400 : 500, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}` };
}
