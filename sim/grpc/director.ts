// apid's routing in front of the simulated nodes: local, `node` (one-to-one) and `nodes` (one-to-many aggregation).
import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  status,
} from "@grpc/grpc-js";
import type { Metadata as TalosMetadata } from "@/proto/generated/common/common";
import type { SimCluster, SimFleet } from "../fleet";
import type { SimNode } from "../node";
import { allowed, callerRoles } from "./roles";
import {
  eof,
  type GrpcStatusError,
  goErrorText,
  notAuthorized,
  refused,
  statusError,
  toStatusError,
} from "./status";

/** What a node-level handler gets besides the request. */
export interface CallContext {
  fleet: SimFleet;
  cluster: SimCluster;
  node: SimNode;
  roles: string[];
  method: string;
  signal: AbortSignal;
}

type WithMetadata = { metadata?: TalosMetadata | undefined };
interface MessageType<T> {
  fromPartial(o: Partial<T> & WithMetadata): T;
}

const AGGREGATABLE = [
  "/machine.MachineService/",
  "/cluster.ClusterService/",
  "/inspect.InspectService/",
  "/storage.StorageService/",
  "/time.TimeService/",
];

type Route = { mode: "local" | "node"; target: string } | { mode: "nodes"; targets: string[] };

function route(md: Metadata, method: string): Route {
  if (md.get("proxyfrom").length > 0) return { mode: "local", target: "" };
  const node = md
    .get("node")
    .flatMap((v) => String(v).split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const nodes = md
    .get("nodes")
    .flatMap((v) => String(v).split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const hasNode = md.get("node").length > 0;
  if (hasNode && node.length !== 1)
    throw statusError(status.INVALID_ARGUMENT, "node metadata must be single-valued");
  if (md.get("nodes").length > 0) {
    if (!AGGREGATABLE.some((p) => method.startsWith(p))) {
      throw statusError(status.INVALID_ARGUMENT, `one-2-many proxying is not supported for method ${method}`);
    }
    return { mode: "nodes", targets: nodes };
  }
  if (hasNode) return { mode: "node", target: node[0] ?? "" };
  return { mode: "local", target: "" };
}

/**
 * The per-node parts of one call, each with its own signal, aborted together when the call is cancelled. The
 * call's signal carries one listener however many nodes a `nodes` call fans out to (an Events stream or an
 * Upgrade over a whole cluster would otherwise put one or more listeners per node on it).
 */
class CallParts {
  private readonly open_ = new Set<AbortController>();

  constructor(private readonly parent: AbortSignal) {
    parent.addEventListener(
      "abort",
      () => {
        for (const c of this.open_) c.abort();
      },
      { once: true },
    );
  }

  open(): AbortController {
    const c = new AbortController();
    if (this.parent.aborted) c.abort();
    else this.open_.add(c);
    return c;
  }

  close(c: AbortController): void {
    this.open_.delete(c);
    c.abort();
  }
}

/** Waits `ms` real milliseconds or until `signal` aborts (resolving true), leaving no listener behind. */
function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    timer.unref();
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

const nodeMd = (hostname: string): TalosMetadata => ({ hostname, error: "", status: undefined });
const errorMd = (hostname: string, err: GrpcStatusError): TalosMetadata => ({
  hostname,
  error: goErrorText(err),
  status: { code: err.code, message: err.details, details: [] },
});

export class Director {
  constructor(
    private readonly fleet: SimFleet,
    private readonly cluster: SimCluster,
  ) {}

  /** Resolves a target the way apid dials it: a cluster member answers, anything else refuses. */
  private resolve(target: string): SimNode {
    const node = this.fleet.find(target);
    if (!node || this.fleet.cluster(node) !== this.cluster) {
      throw refused(target);
    }
    return node;
  }

  /** Waits for faults (slow, hang) and fails for unreachable or rebooting nodes. */
  private async reach(node: SimNode, signal: AbortSignal, local: boolean): Promise<void> {
    const f = node.faults;
    if (f.unreachable?.mode === "hang") {
      const aborted = await delay(120_000, signal);
      if (aborted) throw statusError(status.CANCELLED, "context canceled");
      throw statusError(
        status.UNAVAILABLE,
        `connection error: desc = "transport: Error while dialing: dial tcp ${node.address}:50000: i/o timeout"`,
      );
    }
    if (!node.apiUp || f.unreachable || f.left) {
      if (local) throw statusError(status.UNAVAILABLE, "connection refused");
      throw refused(node.address);
    }
    if (f.slowMs) await delay(f.slowMs, signal);
  }

  private context(
    call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
    node: SimNode,
    method: string,
    signal: AbortSignal,
  ): CallContext {
    return { fleet: this.fleet, cluster: this.cluster, node, roles: callerRoles(call), method, signal };
  }

  private authorize(
    call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
    method: string,
  ): void {
    if (!allowed(method, callerRoles(call))) throw notAuthorized();
  }

  /** A unary method whose response is `{messages: X[]}` (aggregatable). */
  unary<Req, X extends WithMetadata>(
    method: string,
    msgType: MessageType<X>,
    handler: (req: Req, ctx: CallContext) => Promise<Array<Partial<X>>>,
  ): handleUnaryCall<Req, { messages: X[] }> {
    return (call, callback) => {
      const abort = new AbortController();
      call.on("cancelled", () => abort.abort());
      const run = async (): Promise<{ messages: X[] }> => {
        this.authorize(call, method);
        const r = route(call.metadata, method);
        const parts = new CallParts(abort.signal);
        const one = async (node: SimNode, local: boolean) => {
          const own = parts.open();
          try {
            await this.reach(node, own.signal, local);
            return await handler(call.request, this.context(call, node, method, own.signal));
          } finally {
            parts.close(own);
          }
        };
        if (r.mode === "nodes") {
          const messages: X[] = [];
          await Promise.all(
            r.targets.map(async (target) => {
              try {
                const node = this.resolve(target);
                const msgs = await one(node, false);
                for (const m of msgs) messages.push(msgType.fromPartial({ ...m, metadata: nodeMd(target) }));
              } catch (err) {
                messages.push(
                  msgType.fromPartial({ metadata: errorMd(target, toStatusError(err)) } as Partial<X>),
                );
              }
            }),
          );
          return { messages };
        }
        const node = r.mode === "node" ? this.resolve(r.target) : this.cluster.endpoint;
        const msgs = await one(node, r.mode === "local");
        return { messages: msgs.map((m) => msgType.fromPartial(m)) };
      };
      run().then(
        (res) => callback(null, res),
        (err) => callback(toStatusError(err)),
      );
    };
  }

  /** A unary method with any response shape: one-to-one only (COSI, …). */
  unaryRaw<Req, Res>(
    method: string,
    handler: (req: Req, ctx: CallContext) => Promise<Res>,
  ): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const abort = new AbortController();
      call.on("cancelled", () => abort.abort());
      const run = async () => {
        this.authorize(call, method);
        const r = route(call.metadata, method);
        if (r.mode === "nodes")
          throw statusError(
            status.INVALID_ARGUMENT,
            `one-2-many proxying is not supported for method ${method}`,
          );
        const node = r.mode === "node" ? this.resolve(r.target) : this.cluster.endpoint;
        await this.reach(node, abort.signal, r.mode === "local");
        return handler(call.request, this.context(call, node, method, abort.signal));
      };
      run().then(
        (res) => callback(null, res),
        (err) => callback(toStatusError(err)),
      );
    };
  }

  /** A server-streaming method whose messages carry metadata (common.Data, Event): `nodes` fans it out. */
  stream<Req, X extends WithMetadata>(
    method: string,
    msgType: MessageType<X>,
    handler: (req: Req, ctx: CallContext, send: (msg: X) => void) => Promise<void>,
  ): handleServerStreamingCall<Req, X> {
    return this.streamImpl(
      method,
      msgType as MessageType<unknown>,
      handler as (req: Req, ctx: CallContext, send: (msg: unknown) => void) => Promise<void>,
    ) as handleServerStreamingCall<Req, X>;
  }

  /** A server-streaming method with any message shape: one-to-one only (COSI, ImageService, LifecycleService). */
  streamRaw<Req, Res>(
    method: string,
    handler: (req: Req, ctx: CallContext, send: (msg: Res) => void) => Promise<void>,
  ): handleServerStreamingCall<Req, Res> {
    return this.streamImpl(
      method,
      null,
      handler as (req: Req, ctx: CallContext, send: (msg: unknown) => void) => Promise<void>,
    ) as handleServerStreamingCall<Req, Res>;
  }

  /** A node going down ends its part of the stream with EOF. */
  private streamImpl<Req>(
    method: string,
    msgType: MessageType<unknown> | null,
    handler: (req: Req, ctx: CallContext, send: (msg: unknown) => void) => Promise<void>,
  ): handleServerStreamingCall<Req, unknown> {
    return (call) => {
      const abort = new AbortController();
      let ended = false;
      call.on("cancelled", () => abort.abort());
      const fail = (err: unknown) => {
        if (ended) return;
        ended = true;
        abort.abort();
        const e = toStatusError(err);
        call.emit("error", { code: e.code, details: e.details, metadata: e.metadata });
      };
      const parts = new CallParts(abort.signal);
      const runOne = async (node: SimNode, local: boolean, send: (msg: unknown) => void) => {
        const own = parts.open();
        try {
          await this.reach(node, own.signal, local);
        } catch (err) {
          parts.close(own);
          throw err;
        }
        let offDown: () => void = () => {};
        const down = new Promise<never>((_resolve, reject) => {
          offDown = node.onDown(() => {
            own.abort();
            reject(eof());
          });
        });
        down.catch(() => {});
        try {
          await Promise.race([
            handler(call.request, this.context(call, node, method, own.signal), send),
            down,
          ]);
        } finally {
          offDown();
          parts.close(own);
        }
      };
      const run = async () => {
        this.authorize(call, method);
        const r = route(call.metadata, method);
        if (r.mode === "nodes") {
          if (!msgType)
            throw statusError(
              status.INVALID_ARGUMENT,
              `one-2-many proxying is not supported for method ${method}`,
            );
          await Promise.all(
            r.targets.map(async (target) => {
              try {
                const node = this.resolve(target);
                await runOne(node, false, (m) => {
                  if (!ended && !abort.signal.aborted)
                    call.write({ ...(m as object), metadata: nodeMd(target) });
                });
              } catch (err) {
                if (!ended && !abort.signal.aborted) {
                  call.write(msgType.fromPartial({ metadata: errorMd(target, toStatusError(err)) }));
                }
              }
            }),
          );
          return;
        }
        const node = r.mode === "node" ? this.resolve(r.target) : this.cluster.endpoint;
        await runOne(node, r.mode === "local", (m) => {
          if (!ended && !abort.signal.aborted) call.write(m);
        });
      };
      run().then(
        () => {
          if (ended) return;
          ended = true;
          call.end();
        },
        (err) => {
          if (abort.signal.aborted && !ended) {
            ended = true;
            return;
          }
          fail(err);
        },
      );
    };
  }
}
