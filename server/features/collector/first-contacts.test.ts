// First contacts are paced: never more in progress than the limit, each after a jittered wait, those that
// replay history held back while the writer's event backlog is large, and a stopped machine never contacted.
import { describe, expect, it } from "vitest";
import { FirstContacts } from "./first-contacts";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("first contacts", () => {
  it("runs at most `concurrency` at once and all of them in the end", async () => {
    const pacer = new FirstContacts({ concurrency: 3, spreadMs: 50, backlog: () => 0, maxBacklog: 10 });
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pacer.run(
          async () => {
            active++;
            peak = Math.max(peak, active);
            await tick(5 + Math.random() * 10);
            active--;
            done.push(i);
          },
          { signal, replaysHistory: false },
        ),
      ),
    );
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(pacer.stats()).toEqual({ waiting: 0, active: 0, completed: 20 });
  });

  it("spreads arrivals: machines started together do not all begin at the same moment", async () => {
    const pacer = new FirstContacts({ concurrency: 100, spreadMs: 200, backlog: () => 0, maxBacklog: 10 });
    const signal = new AbortController().signal;
    const started = performance.now();
    const at: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, () =>
        pacer.run(async () => at.push(performance.now() - started), { signal, replaysHistory: false }),
      ),
    );
    at.sort((a, b) => a - b);
    // Uniform over 200 ms: the first and last of 30 are far apart.
    expect((at.at(-1) ?? 0) - (at[0] ?? 0)).toBeGreaterThan(60);
  });

  it("holds back contacts that replay history while the event backlog is over the limit", async () => {
    let backlog = 100;
    const pacer = new FirstContacts({ concurrency: 4, spreadMs: 0, backlog: () => backlog, maxBacklog: 50 });
    const signal = new AbortController().signal;
    const ran: string[] = [];
    const replaying = pacer.run(async () => ran.push("history"), { signal, replaysHistory: true });
    await tick(300);
    expect(ran).toEqual([]);
    expect(pacer.stats().active).toBe(1);
    backlog = 10;
    await replaying;
    expect(ran).toEqual(["history"]);
  });

  it("never contacts a machine stopped while it waited for its turn", async () => {
    const pacer = new FirstContacts({ concurrency: 1, spreadMs: 0, backlog: () => 0, maxBacklog: 10 });
    const busy = new AbortController();
    let release: () => void = () => {};
    const first = pacer.run(() => new Promise<void>((r) => (release = r)), {
      signal: busy.signal,
      replaysHistory: false,
    });
    const stopped = new AbortController();
    let contacted = false;
    const second = pacer.run(
      async () => {
        contacted = true;
      },
      { signal: stopped.signal, replaysHistory: false },
    );
    await tick(20);
    stopped.abort();
    release();
    await first;
    expect(await second).toBeUndefined();
    expect(contacted).toBe(false);
  });
});
