// Timing helpers of the collector: jitter, exponential backoff and an abortable sleep.

/** `ms` ± `fraction` at random, so thousands of machines do not fire in step. */
export function jitter(ms: number, fraction = 0.2): number {
  return Math.max(0, ms * (1 - fraction + Math.random() * 2 * fraction));
}

/** 1 s, 2 s, 4 s … up to `max`, jittered; `attempt` counts failures so far (1 = first). */
export function backoff(attempt: number, max: number, base = 1_000): number {
  return jitter(Math.min(max, base * 2 ** Math.max(0, attempt - 1)), 0.25);
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
