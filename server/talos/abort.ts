// Abort listeners shared per signal: any number of calls can wait on one AbortSignal without piling listeners on it.

interface Fanout {
  callbacks: Set<() => void>;
  listener: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Runs `fn` once when `signal` aborts and returns a function that forgets it. However many callers wait on
 * the same signal (hundreds of calls at once, an upgrade that reconnects many times), the signal carries
 * one "abort" listener, removed as soon as nobody waits: no leak and no MaxListenersExceededWarning.
 * If the signal is already aborted, `fn` runs at once.
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    fn();
    return () => {};
  }
  let fanout = fanouts.get(signal);
  if (!fanout) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      fanouts.delete(signal);
      for (const cb of [...callbacks]) cb();
      callbacks.clear();
    };
    fanout = { callbacks, listener };
    fanouts.set(signal, fanout);
    signal.addEventListener("abort", listener, { once: true });
  }
  const entry = () => fn();
  fanout.callbacks.add(entry);
  const registered = fanout;
  return () => {
    if (!registered.callbacks.delete(entry)) return;
    if (registered.callbacks.size === 0 && fanouts.get(signal) === registered) {
      fanouts.delete(signal);
      signal.removeEventListener("abort", registered.listener);
    }
  };
}
