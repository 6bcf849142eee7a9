// Runs one operation per node with bounded concurrency (client-side multiplexing), collecting per-node results.
import { TalosError, toTalosError } from "./errors";

export type NodeResult<T> =
  | { node: string; ok: true; value: T }
  | { node: string; ok: false; error: TalosError };

export interface FanOutOptions {
  /** Calls in flight at once (default 32). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Calls `fn` for every node, at most `concurrency` at a time; never rejects, results keep the nodes' order. */
export async function forEachNode<T>(
  nodes: readonly string[],
  fn: (node: string) => Promise<T>,
  opts: FanOutOptions = {},
): Promise<NodeResult<T>[]> {
  const results = new Array<NodeResult<T>>(nodes.length);
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const index = next++;
      const node = nodes[index] as string;
      if (opts.signal?.aborted) {
        results[index] = {
          node,
          ok: false,
          error: toTalosError(opts.signal.reason, { ...unknownCtx, node }),
        };
        continue;
      }
      try {
        results[index] = { node, ok: true, value: await fn(node) };
      } catch (err) {
        const error = err instanceof TalosError ? err : toTalosError(err, { ...unknownCtx, node });
        results[index] = { node, ok: false, error };
      }
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 32, nodes.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

const unknownCtx = { operation: "The request", requiredRole: "os:reader", actualRoles: [] as string[] };
