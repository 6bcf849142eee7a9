// gRPC status errors as Talos returns them, and the Go-style text apid puts into metadata.error.
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";

const CODE_NAMES = Object.fromEntries(Object.entries(status).map(([name, code]) => [code, name])) as Record<
  number,
  string
>;

export class GrpcStatusError extends Error {
  readonly code: status;
  readonly details: string;
  readonly metadata = new Metadata();

  constructor(code: status, details: string) {
    super(details);
    this.code = code;
    this.details = details;
  }
}

export const statusError = (code: status, details: string) => new GrpcStatusError(code, details);

/** Any thrown value as a status error; plain errors become Unknown, as a Go error returned by a handler does. */
export function toStatusError(err: unknown): GrpcStatusError {
  if (err instanceof GrpcStatusError) return err;
  const e = err as Partial<ServiceError> | undefined;
  if (e && typeof e.code === "number") return new GrpcStatusError(e.code, e.details ?? e.message ?? "");
  return new GrpcStatusError(status.UNKNOWN, err instanceof Error ? err.message : String(err));
}

/** Go's status error text: `rpc error: code = Unavailable desc = …`. */
export function goErrorText(err: GrpcStatusError): string {
  const name = (CODE_NAMES[err.code] ?? "Unknown")
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  const goName = name === "Ok" ? "OK" : name;
  return `rpc error: code = ${goName} desc = ${err.details}`;
}

export function refused(address: string): GrpcStatusError {
  return statusError(
    status.UNAVAILABLE,
    `connection error: desc = "transport: Error while dialing: dial tcp ${address}:50000: connect: connection refused"`,
  );
}

export function eof(): GrpcStatusError {
  return statusError(status.UNAVAILABLE, "error reading from server: EOF");
}

export const notAuthorized = () => statusError(status.PERMISSION_DENIED, "not authorized");
