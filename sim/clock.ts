// Simulated time: durations are divided by --time-scale so reboots and pulls can run in milliseconds.
export class SimClock {
  readonly timeScale: number;

  constructor(timeScale = 1) {
    if (!(timeScale > 0)) throw new Error(`time scale must be > 0, got ${timeScale}`);
    this.timeScale = timeScale;
  }

  /** Real milliseconds that a simulated duration takes. */
  real(simMs: number): number {
    return Math.max(0, simMs / this.timeScale);
  }

  /** Waits a simulated duration; rejects with the signal's reason when aborted. */
  sleep(simMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, this.real(simMs));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
