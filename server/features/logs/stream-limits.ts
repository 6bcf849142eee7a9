// How many live log streams are open, per user and in this instance (each machine of a merged view
// counts as one). Kept on globalThis: the custom server and the Next.js bundle load separate copies
// of this module, and both must count into one place.
import { AppError } from "../../model/errors";

const KEY = Symbol.for("minos.logStreams");
interface Counts {
  total: number;
  byUser: Map<string, number>;
}
type Holder = { [KEY]?: Counts };

function counts(): Counts {
  const h = globalThis as Holder;
  h[KEY] ??= { total: 0, byUser: new Map() };
  return h[KEY];
}

export interface StreamLimits {
  perUser: number;
  perInstance: number;
}

/** Reserves `n` streams for `user`; throws a message in words when a limit would be passed. Returns the release. */
export function reserveStreams(user: string, n: number, limits: StreamLimits): () => void {
  const c = counts();
  const mine = c.byUser.get(user) ?? 0;
  if (mine + n > limits.perUser) {
    throw new AppError("TOO_MANY_REQUESTS", {
      userMessage: `Limit reached: you have ${mine} live log stream${mine === 1 ? "" : "s"} open and this view needs ${n} more (each machine of a merged view counts as one), but one person may hold ${limits.perUser} at once. Close another log view, or ask an administrator to raise MINOS_LOG_STREAMS_PER_USER.`,
    });
  }
  if (c.total + n > limits.perInstance) {
    throw new AppError("TOO_MANY_REQUESTS", {
      userMessage: `Limit reached: Minos is holding ${c.total} live log streams, and this view needs ${n} more; this instance allows ${limits.perInstance} at once over all users. Try again when other views close, or ask an administrator to raise MINOS_LOG_STREAMS_PER_INSTANCE.`,
    });
  }
  c.byUser.set(user, mine + n);
  c.total += n;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (c.byUser.get(user) ?? n) - n;
    if (left > 0) c.byUser.set(user, left);
    else c.byUser.delete(user);
    c.total -= n;
  };
}

/** Streams open now (for metrics and tests). */
export function openStreams(user?: string): number {
  const c = counts();
  return user === undefined ? c.total : (c.byUser.get(user) ?? 0);
}
