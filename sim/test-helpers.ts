// Test helpers: start a simulator on a free port in a temp dir and talk to it through the generated grpc-js clients;
// the phases a request starts, from the node's own events.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type ChannelCredentials,
  type ClientReadableStream,
  credentials,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { parse } from "yaml";
import { ImageServiceClient } from "@/proto/generated/machine/image";
import { LifecycleServiceClient } from "@/proto/generated/machine/lifecycle";
import {
  type Event,
  MachineServiceClient,
  PhaseEvent,
  phaseEvent_ActionToJSON,
} from "@/proto/generated/machine/machine";
import { StateClient } from "@/proto/generated/v1alpha1/state";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "./index";
import { type ClientCertOptions, issueClientCert, loadCa, toNodeKeyPem } from "./pki";

export interface TestSim {
  sim: RunningSimulator;
  stateDir: string;
  /** Clients for a cluster endpoint with the talosconfig's (admin) certificate or a custom one. */
  clients(endpoint: string, creds?: ChannelCredentials): Clients;
  credsFor(opts: ClientCertOptions): Promise<ChannelCredentials>;
  control(method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

export interface Clients {
  machine: MachineServiceClient;
  state: StateClient;
  lifecycle: LifecycleServiceClient;
  image: ImageServiceClient;
  close(): void;
}

const OPTS = { "grpc.max_receive_message_length": 32 * 1024 * 1024 };

export async function startTestSim(opts: Partial<SimulatorOptions> = {}): Promise<TestSim> {
  const stateDir = await mkdtemp(path.join(tmpdir(), "talos-sim-test-"));
  const sim = await startSimulator({
    clusters: 2,
    nodesPerCluster: 4,
    port: 0,
    stateDir,
    timeScale: 100,
    ...opts,
  });
  const cfg = parse(sim.talosconfig) as {
    context: string;
    contexts: Record<string, { ca: string; crt: string; key: string }>;
  };
  const ctx = cfg.contexts[cfg.context];
  if (!ctx) throw new Error("talosconfig without current context");
  const b = (s: string) => Buffer.from(s, "base64");
  const adminCreds = credentials.createSsl(
    b(ctx.ca),
    Buffer.from(toNodeKeyPem(b(ctx.key).toString())),
    b(ctx.crt),
  );
  const open: Clients[] = [];
  return {
    sim,
    stateDir,
    clients(endpoint, creds = adminCreds) {
      const c = {
        machine: new MachineServiceClient(endpoint, creds, OPTS),
        state: new StateClient(endpoint, creds, OPTS),
        lifecycle: new LifecycleServiceClient(endpoint, creds, OPTS),
        image: new ImageServiceClient(endpoint, creds, OPTS),
        close() {
          for (const x of [c.machine, c.state, c.lifecycle, c.image]) x.close();
        },
      };
      open.push(c);
      return c;
    },
    async credsFor(certOpts) {
      const ca = await loadCa(
        await readFile(path.join(stateDir, "ca.crt"), "utf8"),
        await readFile(path.join(stateDir, "ca.key"), "utf8"),
      );
      const cert = await issueClientCert(ca, certOpts);
      return credentials.createSsl(
        Buffer.from(ca.certPem),
        Buffer.from(cert.keyPem),
        Buffer.from(cert.certPem),
      );
    },
    async control(method, urlPath, body) {
      const res = await fetch(`${sim.controlUrl}${urlPath}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async close() {
      for (const c of open) c.close();
      await sim.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function md(pairs: Record<string, string | string[]> = {}): Metadata {
  const m = new Metadata();
  for (const [k, v] of Object.entries(pairs)) for (const x of Array.isArray(v) ? v : [v]) m.add(k, x);
  return m;
}

type UnaryFn<Req, Res> = (
  req: Req,
  md: Metadata,
  opts: { deadline: Date },
  cb: (err: ServiceError | null, res: Res) => void,
) => unknown;

/** Calls a unary method; resolves with the response or the ServiceError (never rejects). */
export function unary<Req, Res>(
  fn: UnaryFn<Req, Res>,
  self: object,
  req: Req,
  meta: Metadata = md(),
  timeoutMs = 10_000,
) {
  return new Promise<{ err: ServiceError | null; res: Res | undefined }>((resolve) => {
    fn.call(self, req, meta, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) =>
      resolve({ err, res: err ? undefined : res }),
    );
  });
}

/**
 * Resolves at the stream's first message (for Events: Talos's hello, after which no event is missed), so a test
 * acts once the subscription is live instead of after a guessed delay.
 */
export function firstMessage(stream: ClientReadableStream<unknown>, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the stream sent nothing")), timeoutMs);
    stream.once("data", () => {
      clearTimeout(timer);
      resolve();
    });
    stream.once("error", (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Collects a stream until it ends, errors, or `until` says stop (then cancels it). */
export function collect<T>(
  stream: ClientReadableStream<T>,
  until?: (msgs: T[]) => boolean,
  timeoutMs = 15_000,
) {
  return new Promise<{ msgs: T[]; err: ServiceError | null }>((resolve) => {
    const msgs: T[] = [];
    let done = false;
    const finish = (err: ServiceError | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ msgs, err });
    };
    const timer = setTimeout(() => {
      stream.cancel();
      finish(null);
    }, timeoutMs);
    stream.on("data", (m: T) => {
      msgs.push(m);
      if (until?.(msgs)) {
        finish(null);
        stream.cancel();
      }
    });
    stream.on("error", (e: ServiceError) => finish(e.code === 1 && done ? null : e));
    stream.on("end", () => finish(null));
  });
}

/**
 * The phases a sequence-starting request (`send`, e.g. Reboot or Shutdown) starts on `node`, as the node's
 * own PhaseEvents tell until its API goes down. The events stream is open before the request leaves.
 */
export async function phasesStartedBy(
  c: Clients,
  node: string,
  send: () => Promise<{ err: unknown }>,
  timeoutMs = 15_000,
): Promise<{ sent: { err: unknown }; phases: string[] }> {
  const stream = c.machine.events(
    { tailEvents: 0, tailId: "", tailSeconds: 0, withActorId: "" },
    md({ node }),
  );
  const collected = collect(stream, undefined, timeoutMs);
  await firstMessage(stream);
  const sent = await send();
  const { msgs } = await collected;
  const phases = (msgs as Event[])
    .filter((e) => e.data?.typeUrl === "talos/runtime/machine.PhaseEvent")
    .map((e) => PhaseEvent.decode(e.data?.value ?? new Uint8Array()))
    .filter((p) => phaseEvent_ActionToJSON(p.action) === "START")
    .map((p) => p.phase);
  return { sent, phases };
}
