// What went wrong talking to a cluster's Kubernetes API, in words an operator can act on.
import { ApiException } from "@kubernetes/client-node";

/** A Kubernetes API call that failed: the HTTP status, the Status reason and message when the API sent one. */
export class KubeError extends Error {
  override name = "KubeError";
  constructor(
    message: string,
    /** HTTP status; 0 when no answer came (unreachable, timed out, TLS refused). */
    readonly code: number,
    /** The Status object's reason (NotFound, Conflict, TooManyRequests…), when there is one. */
    readonly reason: string,
    /** The Status's causes' messages (e.g. which disruption budget refused an eviction). */
    readonly causes: readonly string[] = [],
  ) {
    super(message);
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ message?: string }> };
}

/** Turns whatever the client threw into a KubeError saying what was asked and what came back. */
export function kubeError(what: string, err: unknown): KubeError {
  if (err instanceof KubeError) return err;
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    const said = status?.message ? `: ${status.message}` : "";
    return new KubeError(
      `${what} failed (HTTP ${err.code}${status?.reason ? ` ${status.reason}` : ""})${said}`,
      err.code,
      status?.reason ?? "",
      (status?.details?.causes ?? []).flatMap((c) => (c.message ? [c.message] : [])),
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === "AbortError")
    return new KubeError(`${what} was cancelled`, 0, "Aborted");
  return new KubeError(`${what} failed: the Kubernetes API did not answer (${message})`, 0, "Unreachable");
}

function parseStatus(body: unknown): StatusBody | undefined {
  if (body && typeof body === "object") return body as StatusBody;
  if (typeof body !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === "object" ? (parsed as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}
