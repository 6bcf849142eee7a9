// For the multi-process rollout tests: starts run-reconciler.ts as a separate OS process on a test
// fleet's database and secret key, with short lease timings, and reads its instance id and output.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { Principal } from "../model/principal";
import { eventually } from "./collector-fleet";
import { principalWith } from "./principals";
import {
  approveWave,
  callerFor,
  phasesOf,
  type RolloutTestFleet,
  rolloutOf,
  simNode,
  startRolloutTestFleet,
  testSafety,
} from "./rollout-fleet";

export interface ReconcilerProcess {
  child: ChildProcess;
  instanceId: string;
  /** Its stdout and stderr so far (JSON log lines at warn and above). */
  output(): string;
}

export const PROCESS_LEASE_MS = 3_000;

export function spawnReconciler(
  fleet: RolloutTestFleet,
  children: ChildProcess[],
): Promise<ReconcilerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "..", "features", "rollouts", "run-reconciler.ts")],
      {
        env: {
          ...process.env,
          DATABASE_URL: fleet.database.url,
          MINOS_DATA_DIR: fleet.stateDir,
          MINOS_ROLLOUT_LEASE_MS: String(PROCESS_LEASE_MS),
          MINOS_ROLLOUT_PASS_MS: "200",
          MINOS_ROLLOUT_FOLLOW_MS: "200",
          MINOS_ROLLOUT_SETTLE_MS: "2000",
          MINOS_ROLLOUT_KUBE_POLL_MS: "250",
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ROLLOUT_RECONCILER_READY (\{.*\})/.exec(out);
      if (m?.[1]) {
        const { instanceId } = JSON.parse(m[1]) as { instanceId: string };
        resolve({ child, instanceId, output: () => out });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) =>
      reject(new Error(`the reconciler process exited early (${code ?? signal}):\n${out}`)),
    );
  });
}

/** Creates and approves a one-wave rollout of these workers to `target`; their boot counts before. */
export async function startWorkerRollout(
  fleet: RolloutTestFleet,
  by: { operator: Principal; approver: Principal },
  hostnames: string[],
  target: string,
): Promise<{ id: string; bootsBefore: Map<string, number> }> {
  const machines = await fleet.database.db.machine.findMany({ where: { hostname: { in: hostnames } } });
  if (machines.length !== hostnames.length) throw new Error(`not all of ${hostnames.join(", ")} exist`);
  const bootsBefore = new Map<string, number>();
  for (const h of hostnames) bootsBefore.set(h, (await simNode(fleet.sim, h)).bootCount);
  const { id } = await callerFor(fleet, by.operator).rollouts.create(
    rolloutOf(
      machines.map((m) => m.id),
      target,
      { safety: testSafety({ workersPerCluster: 2 }) },
    ),
  );
  await approveWave(fleet, by.approver, id, 0);
  return { id, bootsBefore };
}

/** The rollout's lease holder once `ready` holds for its machines' phases. */
export async function holderWhen(
  fleet: RolloutTestFleet,
  id: string,
  ready: (machines: { hostname: string; phase: string; actorId: string | null }[]) => boolean,
  what: string,
): Promise<string> {
  return eventually(
    async () => {
      const machines = [...(await phasesOf(fleet, id)).values()].map((m) => ({
        hostname: m.machine.hostname,
        phase: m.phase as string,
        actorId: m.actorId,
      }));
      const r = await fleet.database.db.rollout.findUniqueOrThrow({ where: { id } });
      return ready(machines) && r.leaseOwner ? r.leaseOwner : undefined;
    },
    60_000,
    what,
  );
}

export async function holderOf(fleet: RolloutTestFleet, id: string): Promise<string | null> {
  return (await fleet.database.db.rollout.findUniqueOrThrow({ where: { id } })).leaseOwner;
}

/** A rollout test fleet (one cluster: 3 control planes, 5 workers on v1.13.2) driven by two reconciler processes. */
export interface TwoReconcilers {
  fleet: RolloutTestFleet;
  a: ReconcilerProcess;
  b: ReconcilerProcess;
  operator: Principal;
  approver: Principal;
  /** One more reconciler process on the same database (to replace a killed one). */
  spawn(): Promise<ReconcilerProcess>;
  stop(): Promise<void>;
}

export async function startTwoReconcilers(opts: { timeScale: number }): Promise<TwoReconcilers> {
  const operator = principalWith("alice", "operator");
  const approver = principalWith("bob", "approver");
  const fleet = await startRolloutTestFleet({
    clusters: 1,
    nodesPerCluster: 8,
    timeScale: opts.timeScale,
    users: [operator, approver],
  });
  const children: ChildProcess[] = [];
  const [a, b] = await Promise.all([spawnReconciler(fleet, children), spawnReconciler(fleet, children)]);
  return {
    fleet,
    a,
    b,
    operator,
    approver,
    spawn: () => spawnReconciler(fleet, children),
    stop: async () => {
      for (const c of children) c.kill("SIGKILL");
      await fleet.stop();
    },
  };
}
