// Typed Talos client errors: each says what went wrong and what the user can do about it.
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";

export type TalosErrorKind =
  | "talosconfig"
  | "unreachable"
  | "permission-denied"
  | "not-found"
  | "unimplemented"
  | "version-too-old"
  | "deadline-exceeded"
  | "canceled"
  | "credential-retired"
  | "failed-precondition"
  | "invalid-argument"
  | "node-error";

export interface TalosErrorOptions {
  /** The node the call was for (address or hostname), when there is one. */
  node?: string;
  /** The gRPC method, e.g. /machine.MachineService/Version. */
  method?: string;
  /** The gRPC status code Talos answered with. */
  grpcCode?: status;
  /** What Talos itself said; internal detail for logs, not for pages. */
  detail?: string;
  cause?: unknown;
}

/** Base class: `message` is safe to show to a user and names what to do next. */
export class TalosError extends Error {
  readonly kind: TalosErrorKind;
  readonly node?: string;
  readonly method?: string;
  readonly grpcCode?: status;
  readonly detail?: string;

  constructor(kind: TalosErrorKind, message: string, opts: TalosErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.node = opts.node;
    this.method = opts.method;
    this.grpcCode = opts.grpcCode;
    this.detail = opts.detail;
  }
}

/** The talosconfig file is unusable; `context` names the context at fault when one is. */
export class TalosconfigError extends TalosError {
  readonly context?: string;
  constructor(message: string, opts: { context?: string; cause?: unknown } = {}) {
    super("talosconfig", message, { cause: opts.cause });
    this.context = opts.context;
  }
}

export class TalosUnreachableError extends TalosError {
  constructor(opts: TalosErrorOptions & { endpoint?: string }) {
    const where = opts.node ? `node ${opts.node}` : `endpoint ${opts.endpoint ?? "?"}`;
    const via = opts.node && opts.endpoint ? ` (through endpoint ${opts.endpoint})` : "";
    super(
      "unreachable",
      `The Talos API on ${where}${via} cannot be reached. Check that the machine is powered on and that port 50000 is reachable from Minos; if it is rebooting, try again in a minute.`,
      opts,
    );
  }
}

export class TalosPermissionDeniedError extends TalosError {
  /** The role the call needs, e.g. os:operator. */
  readonly requiredRole: string;
  /** The roles the client certificate carries. */
  readonly actualRoles: string[];
  constructor(opts: TalosErrorOptions & { operation: string; requiredRole: string; actualRoles: string[] }) {
    const have = opts.actualRoles.length > 0 ? opts.actualRoles.join(", ") : "no role";
    super(
      "permission-denied",
      `Permission denied: ${opts.operation} needs the ${opts.requiredRole} role, but this talosconfig's certificate has ${have}. Use a talosconfig whose certificate carries ${opts.requiredRole} (talosctl config new --roles ${opts.requiredRole}).`,
      opts,
    );
    this.requiredRole = opts.requiredRole;
    this.actualRoles = opts.actualRoles;
  }
}

export class TalosNotFoundError extends TalosError {
  constructor(opts: TalosErrorOptions & { what: string }) {
    super(
      "not-found",
      `${opts.what} was not found${opts.node ? ` on node ${opts.node}` : ""}. Check the name; it may not exist on this kind of node or in this Talos version.`,
      opts,
    );
  }
}

export class TalosUnimplementedError extends TalosError {
  constructor(opts: TalosErrorOptions & { operation: string }) {
    const reason = opts.detail ? ` (Talos says: ${opts.detail})` : "";
    super(
      "unimplemented",
      `${opts.operation} is not available on ${opts.node ? `node ${opts.node}` : "this node"}${reason}. Run it on a node of the right kind, e.g. a control-plane node for etcd operations.`,
      opts,
    );
  }
}

export class TalosVersionTooOldError extends TalosError {
  readonly minimumVersion: string;
  readonly nodeVersion?: string;
  constructor(opts: TalosErrorOptions & { operation: string; minimumVersion: string; nodeVersion?: string }) {
    super(
      "version-too-old",
      `${opts.operation} needs Talos ${opts.minimumVersion} or newer, but ${opts.node ? `node ${opts.node}` : "the node"} runs ${opts.nodeVersion ?? "an older version"}. Upgrade the node first or use the older way of doing this.`,
      opts,
    );
    this.minimumVersion = opts.minimumVersion;
    this.nodeVersion = opts.nodeVersion;
  }
}

export class TalosDeadlineExceededError extends TalosError {
  readonly timeoutMs?: number;
  constructor(opts: TalosErrorOptions & { operation: string; timeoutMs?: number }) {
    const within = opts.timeoutMs === undefined ? "in time" : `within ${formatMs(opts.timeoutMs)}`;
    super(
      "deadline-exceeded",
      `${opts.node ? `Node ${opts.node}` : "Talos"} did not answer ${opts.operation} ${within}. The node may be overloaded or the network slow; try again, or raise the timeout.`,
      opts,
    );
    this.timeoutMs = opts.timeoutMs;
  }
}

export class TalosCanceledError extends TalosError {
  constructor(opts: TalosErrorOptions & { operation: string }) {
    super("canceled", `${opts.operation} was canceled.`, opts);
  }
}

/**
 * The call was stopped because the credential it used is no longer stored (replaced or removed): a
 * certificate an administrator took away is not used one moment longer. Asking again opens the
 * cluster's current credential.
 */
export class TalosCredentialRetiredError extends TalosError {
  readonly credential: string;
  constructor(opts: TalosErrorOptions & { operation: string; credential: string }) {
    super(
      "credential-retired",
      `${opts.operation} was stopped: the Talos credential "${opts.credential}" it used was replaced or removed.`,
      opts,
    );
    this.credential = opts.credential;
  }
}

/** Talos refused the request as it stands (e.g. an upgrade already in progress, bad image reference). */
export class TalosRequestError extends TalosError {
  constructor(
    kind: "failed-precondition" | "invalid-argument" | "node-error",
    opts: TalosErrorOptions & { operation: string },
  ) {
    const on = opts.node ? ` on node ${opts.node}` : "";
    const said = opts.detail ? `: ${opts.detail}` : "";
    super(kind, `${opts.operation} failed${on}${said}.`, opts);
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

export function isServiceError(err: unknown): err is ServiceError {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceError>).code === "number" &&
    (err as Partial<ServiceError>).metadata instanceof Metadata
  );
}

export interface ErrorContext {
  operation: string;
  method?: string;
  node?: string;
  endpoint?: string;
  requiredRole: string;
  actualRoles: string[];
  timeoutMs?: number;
  /** Whether the channel to the endpoint had connected when the call failed. */
  connected?: boolean;
}

/** Maps a gRPC status (or an apid per-node error) to the typed error a user can act on. */
export function fromGrpcStatus(code: status, detail: string, ctx: ErrorContext, cause?: unknown): TalosError {
  const base = { node: ctx.node, method: ctx.method, grpcCode: code, detail, cause };
  switch (code) {
    case status.UNAVAILABLE:
      return new TalosUnreachableError({ ...base, endpoint: ctx.endpoint });
    case status.DEADLINE_EXCEEDED:
      // grpc-js reports a connection that never came up as a deadline: that is an unreachable node.
      if (ctx.connected === false) return new TalosUnreachableError({ ...base, endpoint: ctx.endpoint });
      return new TalosDeadlineExceededError({ ...base, operation: ctx.operation, timeoutMs: ctx.timeoutMs });
    case status.PERMISSION_DENIED:
    case status.UNAUTHENTICATED:
      return new TalosPermissionDeniedError({
        ...base,
        operation: ctx.operation,
        requiredRole: ctx.requiredRole,
        actualRoles: ctx.actualRoles,
      });
    case status.NOT_FOUND:
      return new TalosNotFoundError({ ...base, what: ctx.operation });
    case status.UNIMPLEMENTED:
      return new TalosUnimplementedError({ ...base, operation: ctx.operation });
    case status.CANCELLED:
      return new TalosCanceledError({ ...base, operation: ctx.operation });
    case status.FAILED_PRECONDITION:
      return new TalosRequestError("failed-precondition", { ...base, operation: ctx.operation });
    case status.INVALID_ARGUMENT:
      return new TalosRequestError("invalid-argument", { ...base, operation: ctx.operation });
    default:
      return new TalosRequestError("node-error", { ...base, operation: ctx.operation });
  }
}

/** Converts anything thrown by grpc-js into a TalosError (TalosErrors pass through unchanged). */
export function toTalosError(err: unknown, ctx: ErrorContext): TalosError {
  if (err instanceof TalosError) return err;
  if (isServiceError(err)) return fromGrpcStatus(err.code, err.details, ctx, err);
  const detail = err instanceof Error ? err.message : String(err);
  return new TalosRequestError("node-error", {
    operation: ctx.operation,
    node: ctx.node,
    detail,
    cause: err,
  });
}
