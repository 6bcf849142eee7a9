// Rollout announcements to a webhook against the simulator: a local HTTP endpoint receives
// Slack-compatible JSON ({"text": …}) when a wave needs an approval, a wave finished, the rollout paused
// (failure budget) and completed (saying when machines failed). An endpoint that fails (500) or never
// answers neither holds up nor breaks the rollout, and each failure is logged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, injectFault } from "../../testing/collector-fleet";
import { principalWith } from "../../testing/principals";
import {
  approveWave,
  callerFor,
  morePasses,
  type RolloutTestFleet,
  rolloutOf,
  startRolloutTestFleet,
  testSafety,
  waitForStatus,
} from "../../testing/rollout-fleet";
import { RolloutReconciler } from "./reconciler/reconciler";
import { webhookNotifier } from "./webhook";

const alice = principalWith("alice", "operator");
const bob = principalWith("bob", "approver");
const TARGET = "v1.14.0-rc.1";

/** A webhook endpoint that answers 200, 500, or never, and keeps what it received. */
interface Endpoint {
  url: string;
  mode: "ok" | "error" | "hang";
  received: { method: string; contentType: string; body: unknown }[];
  /** Requests it has not answered (mode "hang"). */
  open: ServerResponse[];
  close(): Promise<void>;
}

async function startEndpoint(): Promise<Endpoint> {
  const endpoint: Endpoint = { url: "", mode: "ok", received: [], open: [], close: async () => {} };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      endpoint.received.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"] ?? "",
        body: JSON.parse(body),
      });
      if (endpoint.mode === "hang") endpoint.open.push(res);
      else {
        res.writeHead(endpoint.mode === "ok" ? 200 : 500, { "content-type": "text/plain" });
        res.end(endpoint.mode === "ok" ? "ok" : "invalid_token");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`;
  endpoint.close = async () => {
    for (const res of endpoint.open) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return endpoint;
}

let fleet: RolloutTestFleet;
let endpoint: Endpoint;
beforeAll(async () => {
  fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
    timeScale: 60,
    users: [alice, bob],
  });
  endpoint = await startEndpoint();
}, 90_000);
afterAll(async () => {
  await endpoint?.close();
  await fleet?.stop();
});

it("announces approvals, finished waves, a pause and the completion as Slack-compatible JSON, and is not held up by a failing endpoint", {
  timeout: 150_000,
}, async () => {
  const db = fleet.database.db;
  const logs: { level: number; msg: string; status?: number; err?: { name: string }; text?: string }[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const reconciler = new RolloutReconciler({
    db,
    log,
    secretKey: fleet.secretKey,
    leaseMs: 5_000,
    passMs: 200,
    followMs: 200,
    notify: webhookNotifier(endpoint.url, log, { timeoutMs: 3_000 }),
  }).start();
  const texts = () => endpoint.received.map((r) => (r.body as { text: string }).text);
  const announced = (text: string) => eventually(async () => texts().includes(text), 60_000, `"${text}"`);
  try {
    const workers = await db.machine.findMany({ where: { role: "worker" }, orderBy: { hostname: "asc" } });
    type Worker = (typeof workers)[number];
    expect(workers).toHaveLength(5);
    const [w1, w2, w3, w4, w5] = workers as [Worker, Worker, Worker, Worker, Worker];
    const as = callerFor(fleet, alice).rollouts;
    const { id } = await as.create(
      rolloutOf(
        [w1, w2, w3, w4].map((w) => w.id),
        TARGET,
        {
          name: "autumn",
          wavePlan: {
            canary: { kind: "machines", machineIds: [w1.id] },
            waves: [{ kind: "percent", percent: 100 }],
          },
          safety: testSafety({ failureBudget: { kind: "count", value: 1 } }),
        },
      ),
    );
    await announced(`Rollout "autumn" to ${TARGET}: Canary (1 machine) needs an approval.`);
    // Announced once, although every pass sees the wave waiting.
    await morePasses(reconciler, 3);
    expect(texts()).toHaveLength(1);
    expect(endpoint.received[0]).toEqual({
      method: "POST",
      contentType: "application/json",
      body: { text: `Rollout "autumn" to ${TARGET}: Canary (1 machine) needs an approval.` },
    });

    await approveWave(fleet, bob, id, 0);
    await announced(`Rollout "autumn" to ${TARGET}: Canary finished (1 done).`);
    await announced(`Rollout "autumn" to ${TARGET}: Wave 1 (100 %) (3 machines) needs an approval.`);

    // Two of the wave's three fail: one more than its budget.
    await injectFault(fleet.sim, w2.hostname, { kind: "upgrade-fail", phase: "upgrade" });
    await injectFault(fleet.sim, w3.hostname, { kind: "upgrade-fail", phase: "upgrade" });
    await approveWave(fleet, bob, id, 1);
    await waitForStatus(fleet, id, "paused", 60_000);
    await announced(
      `Rollout "autumn" to ${TARGET} paused: Wave 1 (100 %) has 2 machines failed (${w2.hostname}, ${w3.hostname}), more than its failure budget of 1. Retry or skip them, then resume.`,
    );
    await as.machine({ id, machineId: w2.id, control: "skip" });
    await as.control({ id, control: "resume" });
    await waitForStatus(fleet, id, "completed", 60_000);
    await announced(`Rollout "autumn" to ${TARGET}: Wave 1 (100 %) finished (1 done, 1 failed, 1 skipped).`);
    await announced(
      `Rollout "autumn" completed with failures: 2 of 4 machines on ${TARGET} (2 done, 1 failed, 1 skipped).`,
    );
    expect(endpoint.received.every((r) => r.method === "POST" && r.contentType === "application/json")).toBe(
      true,
    );
    expect(logs).toEqual([]);

    // The endpoint fails: 500 for the approval request, then no answer at all.
    endpoint.mode = "error";
    const second = await as.create(rolloutOf([w5.id], TARGET, { name: "quiet" }));
    await eventually(
      async () => logs.some((l) => l.msg === "rollout webhook refused an announcement" && l.status === 500),
      30_000,
      "the refusal logged",
    );
    endpoint.mode = "hang";
    await approveWave(fleet, bob, second.id, 0);
    // The rollout completes while its announcements still hang.
    await waitForStatus(fleet, second.id, "completed", 60_000);
    await eventually(async () => endpoint.open.length >= 1, 10_000, "an announcement hanging");
    const hanging = endpoint.open.length;
    await eventually(
      async () =>
        logs.filter(
          (l) => l.msg === "rollout webhook did not take an announcement" && l.err?.name === "TimeoutError",
        ).length >= hanging,
      30_000,
      "the timeouts logged",
    );
    expect(logs.every((l) => l.level === 40)).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(endpoint.url);
    // The reconciler carries on.
    await morePasses(reconciler, 2);
  } finally {
    await reconciler.stop();
  }
});
