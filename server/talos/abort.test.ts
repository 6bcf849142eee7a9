// Calls sharing one AbortSignal share one listener on it, removed when the last call is done.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { onAbort } from "./abort";

describe("onAbort", () => {
  it("puts one listener on the signal for any number of waiters and removes it when they are done", () => {
    const controller = new AbortController();
    const forgets = Array.from({ length: 100 }, () => onAbort(controller.signal, () => {}));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    for (const f of forgets) f();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("runs every waiter still registered on abort, once, and runs at once on an aborted signal", () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const forgetFirst = onAbort(controller.signal, () => ran.push(1));
    onAbort(controller.signal, () => ran.push(2));
    forgetFirst();
    controller.abort();
    controller.abort();
    expect(ran).toEqual([2]);
    onAbort(controller.signal, () => ran.push(3));
    expect(ran).toEqual([2, 3]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
