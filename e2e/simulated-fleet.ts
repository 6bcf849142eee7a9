// What the browser tests that run their own simulator share: removing the simulated fleet's clusters and
// credentials (so a retried test can import it again), and injecting or clearing a service fault through
// the simulator's control API.
import { expect } from "@playwright/test";
import type pg from "pg";
import type { RunningSimulator } from "../server/talos-sim";

/** Removes these clusters and their credentials from the database. */
export async function forgetClusters(db: pg.Client, names: string[]): Promise<void> {
  await db.query("DELETE FROM cluster WHERE name = ANY($1)", [names]);
  await db.query("DELETE FROM talos_credential WHERE name = ANY($1)", [names]);
}

/** POST injects a fault on the node; DELETE clears its service faults. */
export async function serviceFault(
  sim: RunningSimulator,
  address: string,
  method: "POST" | "DELETE",
  body?: unknown,
): Promise<void> {
  const url = `${sim.controlUrl}/nodes/${address}/faults${method === "DELETE" ? "/service" : ""}`;
  const res = await fetch(url, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
  expect(res.ok, await res.text()).toBe(true);
}
