// Makes one gRPC call through an endpoint to a node (`node` metadata), with a deadline, cancellation and typed errors.
import {
  type CallOptions,
  type ClientReadableStream,
  connectivityState,
  Metadata,
  type MethodDefinition,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import type { Metadata as NodeMetadata } from "@/proto/generated/common/common";
import { onAbort } from "./abort";
import type { ChannelPool, PooledChannel } from "./channel-pool";
import {
  type ErrorContext,
  fromGrpcStatus,
  TalosCredentialRetiredError,
  type TalosError,
  TalosUnreachableError,
  toTalosError,
} from "./errors";
import { requiredRole } from "./roles";
import type { TalosContext } from "./talosconfig";

export const DEFAULT_UNARY_TIMEOUT_MS = 10_000;

export interface CallTarget {
  /** Node address to route to with `node` metadata; omit to be served by the endpoint itself. */
  node?: string;
  /** Unary deadline (default 10 s). Streams have none unless given. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Called synchronously just before the request leaves (after every await of the call), so a caller can
   * refuse to send at the last moment, e.g. when it can no longer prove it may act; what it throws rejects
   * the call and nothing is sent.
   */
  guard?: () => void;
}

export interface CallSpec {
  /** Human name of the operation for error messages, e.g. "Reading the Talos version". */
  operation: string;
  /** The call reads a Sensitive COSI type (needs os:admin). */
  sensitive?: boolean;
}

/** Message shape every Talos reply follows: `metadata` first (set by apid when it aggregates). */
export interface WithMetadata {
  metadata?: NodeMetadata | undefined;
}

/** Routes calls for one talosconfig context through its endpoints. */
export class NodeCaller {
  private endpointIndex = 0;

  constructor(
    readonly context: TalosContext,
    private readonly pool: ChannelPool,
    /** Aborts when the credential is retired: every open call stops with TalosCredentialRetiredError. */
    private readonly retired?: AbortSignal,
  ) {}

  /** The error for a call stopped (or refused) because the credential was retired. */
  private retiredError(
    spec: CallSpec,
    target: CallTarget,
    def: { path: string },
  ): TalosCredentialRetiredError {
    return new TalosCredentialRetiredError({
      operation: spec.operation,
      credential: this.context.name,
      node: target.node,
      method: def.path,
    });
  }

  /** The endpoint channel to use: the current one unless it is failing and another endpoint exists. */
  private channel(): PooledChannel {
    const endpoints = this.context.endpoints;
    for (let i = 0; i < endpoints.length; i++) {
      const idx = (this.endpointIndex + i) % endpoints.length;
      const pooled = this.pool.get(this.context, endpoints[idx] as string);
      if (pooled.channel.getConnectivityState(false) !== connectivityState.TRANSIENT_FAILURE) {
        this.endpointIndex = idx;
        return pooled;
      }
    }
    return this.pool.get(this.context, endpoints[this.endpointIndex] as string);
  }

  private errorContext(
    def: { path: string },
    spec: CallSpec,
    target: CallTarget,
    pooled: PooledChannel,
  ): ErrorContext {
    return {
      operation: spec.operation,
      method: def.path,
      node: target.node,
      endpoint: pooled.endpoint,
      requiredRole: requiredRole(def.path, { sensitive: spec.sensitive }),
      actualRoles: this.context.roles,
      timeoutMs: target.timeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS,
    };
  }

  /**
   * One unary call; rejects with a TalosError. When an endpoint cannot be connected to at all, the call moves on
   * to the context's next endpoint within the same deadline, as talosctl fails over between endpoints.
   */
  async unary<Req, Res>(
    def: MethodDefinition<Req, Res>,
    request: Req,
    spec: CallSpec,
    target: CallTarget = {},
    routing: RoutingMetadata = nodeRouting(target.node),
  ): Promise<Res> {
    const deadline = Date.now() + (target.timeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS);
    const attempts = this.context.endpoints.length;
    for (let attempt = 1; ; attempt++) {
      const pooled = this.channel();
      try {
        return await this.unaryOnce(pooled, def, request, spec, target, routing, deadline);
      } catch (err) {
        const endpointDown =
          err instanceof TalosUnreachableError &&
          pooled.channel.getConnectivityState(false) !== connectivityState.READY;
        if (!endpointDown || attempt >= attempts || Date.now() >= deadline || target.signal?.aborted)
          throw err;
        this.endpointIndex = (this.endpointIndex + 1) % attempts;
      }
    }
  }

  private unaryOnce<Req, Res>(
    pooled: PooledChannel,
    def: MethodDefinition<Req, Res>,
    request: Req,
    spec: CallSpec,
    target: CallTarget,
    routing: RoutingMetadata,
    deadline: number,
  ): Promise<Res> {
    const ctx = this.errorContext(def, spec, target, pooled);
    return new Promise<Res>((resolve, reject) => {
      if (target.signal?.aborted) {
        reject(fromGrpcStatus(status.CANCELLED, "aborted before the call", ctx));
        return;
      }
      if (this.retired?.aborted) {
        reject(this.retiredError(spec, target, def));
        return;
      }
      try {
        target.guard?.();
      } catch (err) {
        reject(err);
        return;
      }
      const call = pooled.client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        routing(),
        { deadline },
        (err: ServiceError | null, value?: Res) => {
          forget();
          forgetRetired();
          if (err && this.retired?.aborted && !target.signal?.aborted)
            reject(this.retiredError(spec, target, def));
          else if (err) {
            const connected = pooled.channel.getConnectivityState(false) === connectivityState.READY;
            reject(toTalosError(err, { ...ctx, connected }));
          } else resolve(value as Res);
        },
      );
      const forget = onAbort(target.signal, () => call.cancel());
      const forgetRetired = onAbort(this.retired, () => call.cancel());
    });
  }

  /** A server-streaming call as an async iterable; breaking out of the loop or aborting cancels it (and ends it quietly). */
  async *stream<Req, Res>(
    def: MethodDefinition<Req, Res>,
    request: Req,
    spec: CallSpec,
    target: CallTarget = {},
    routing: RoutingMetadata = nodeRouting(target.node),
  ): AsyncGenerator<Res> {
    const pooled = this.channel();
    const ctx = this.errorContext(def, spec, target, pooled);
    const options: CallOptions = target.timeoutMs ? { deadline: Date.now() + target.timeoutMs } : {};
    if (target.signal?.aborted) return;
    if (this.retired?.aborted) throw this.retiredError(spec, target, def);
    target.guard?.();
    const call: ClientReadableStream<Res> = pooled.client.makeServerStreamRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      request,
      routing(),
      options,
    );
    const forget = onAbort(target.signal, () => call.cancel());
    const forgetRetired = onAbort(this.retired, () => call.cancel());
    try {
      for await (const message of call as AsyncIterable<Res>) yield message;
    } catch (err) {
      // Cancelled by the caller: the stream simply ends.
      if (target.signal?.aborted) return;
      if (this.retired?.aborted) throw this.retiredError(spec, target, def);
      const connected = pooled.channel.getConnectivityState(false) === connectivityState.READY;
      throw toTalosError(err, { ...ctx, connected });
    } finally {
      forget();
      forgetRetired();
      call.cancel();
    }
  }

  /** Builds the typed error for an apid per-node failure found in `metadata.error` of an aggregated reply. */
  nodeError(def: { path: string }, spec: CallSpec, metadata: NodeMetadata): TalosError {
    const pooled = this.channel();
    const ctx = this.errorContext(def, spec, { node: metadata.hostname }, pooled);
    const code = (metadata.status?.code ?? status.UNKNOWN) as status;
    return fromGrpcStatus(code, metadata.error, ctx);
  }
}

/** Produces the routing metadata of one call. */
export type RoutingMetadata = () => Metadata;

/** talosctl 1.14 style: exactly one `node` value, forwarded one-to-one by apid. */
export function nodeRouting(node: string | undefined): RoutingMetadata {
  return () => {
    const md = new Metadata();
    if (node !== undefined) md.set("node", node);
    return md;
  };
}
