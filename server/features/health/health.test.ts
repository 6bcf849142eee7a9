import { describe, expect, it } from "vitest";
import { ago } from "../../model/health-words";
import { type ClusterMachine, clusterHealth } from "./cluster-health";
import { currentHealth, type MachineFacts, machineHealth, type ServiceState } from "./machine-health";
import { rollupBySite, rollupHealth } from "./rollup";

const now = new Date("2026-05-01T12:00:00Z");
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
const svc = (id: string, over: Partial<ServiceState> = {}): ServiceState => ({
  id,
  state: "Running",
  healthy: true,
  unknown: false,
  ...over,
});
const services = ["apid", "containerd", "cri", "kubelet", "machined", "trustd", "etcd"].map((id) => svc(id));

function machine(over: Partial<MachineFacts> = {}): MachineFacts {
  return {
    stage: "running",
    ready: true,
    unmetConditions: [],
    services,
    reachable: true,
    lastSeenAt: secondsAgo(5),
    lastError: null,
    ...over,
  };
}

describe("machine health", () => {
  it("is healthy when running, ready, every service up and seen recently", () => {
    expect(machineHealth(machine(), now)).toEqual({ health: "healthy", reason: "" });
  });

  it("is unknown before the first contact", () => {
    expect(machineHealth(machine({ reachable: false, lastSeenAt: null }), now)).toEqual({
      health: "unknown",
      reason: "not contacted yet",
    });
  });

  it("is unreachable with the error and when it was last seen", () => {
    const v = machineHealth(
      machine({ reachable: false, lastSeenAt: secondsAgo(7 * 60), lastError: "connection refused" }),
      now,
    );
    expect(v).toEqual({ health: "unreachable", reason: "connection refused; last seen 7 minutes ago" });
    expect(
      machineHealth(machine({ reachable: false, lastSeenAt: null, lastError: "timed out" }), now).reason,
    ).toBe("timed out; never seen");
  });

  it("counts a machine gone quiet while rebooting as a planned reboot, not an outage, for 10 minutes", () => {
    const quiet = { reachable: false, stage: "rebooting", lastError: "connection refused" };
    const v = machineHealth(machine({ ...quiet, lastSeenAt: secondsAgo(150) }), now);
    expect(v.health).toBe("upgrading");
    expect(v.reason).toBe("rebooting: planned reboot, back soon (last seen 2 minutes ago)");
    expect(machineHealth(machine({ ...quiet, lastSeenAt: secondsAgo(11 * 60) }), now).health).toBe(
      "unreachable",
    );
    // Quiet while running is an outage at once.
    expect(
      machineHealth(machine({ ...quiet, stage: "running", lastSeenAt: secondsAgo(90) }), now).health,
    ).toBe("unreachable");
  });

  it("never reports a stale healthy: no contact for longer than the limit is unknown", () => {
    const v = machineHealth(machine({ lastSeenAt: secondsAgo(7 * 60) }), now);
    expect(v).toEqual({ health: "unknown", reason: "no fresh state: last seen 7 minutes ago" });
    expect(machineHealth(machine({ lastSeenAt: secondsAgo(50) }), now, { staleAfterMs: 30_000 }).health).toBe(
      "unknown",
    );
  });

  it("is upgrading while upgrading, rebooting or installing, whatever readiness says", () => {
    for (const stage of ["upgrading", "rebooting", "installing", "UPGRADING"]) {
      expect(machineHealth(machine({ stage, ready: false }), now).health).toBe("upgrading");
    }
    expect(machineHealth(machine({ stage: "rebooting" }), now).reason).toBe("rebooting");
  });

  it("is unhealthy in maintenance, shutting down or resetting", () => {
    expect(machineHealth(machine({ stage: "maintenance" }), now)).toEqual({
      health: "unhealthy",
      reason: "in maintenance mode (no machine configuration applied)",
    });
    expect(machineHealth(machine({ stage: "shutting_down" }), now).health).toBe("unhealthy");
    expect(machineHealth(machine({ stage: "resetting" }), now).health).toBe("unhealthy");
  });

  it("is unknown in a stage it does not know", () => {
    expect(machineHealth(machine({ stage: "unknown" }), now)).toEqual({
      health: "unknown",
      reason: "stage unknown",
    });
  });

  it("is unhealthy when a critical service failed, naming it, without repeating the condition", () => {
    const v = machineHealth(
      machine({
        ready: false,
        unmetConditions: [
          { name: "services", reason: "kubelet not running" },
          { name: "nodeReady", reason: 'node "w-1" is not ready' },
        ],
        services: services.map((s) =>
          s.id === "kubelet" ? svc("kubelet", { state: "Failed", healthy: false }) : s,
        ),
      }),
      now,
    );
    expect(v.health).toBe("unhealthy");
    expect(v.reason).toBe('kubelet failed; nodeReady: node "w-1" is not ready');
  });

  it("is unhealthy when a critical service fails its health check, with Talos's message", () => {
    const v = machineHealth(
      machine({
        services: services.map((s) =>
          s.id === "etcd" ? svc("etcd", { healthy: false, message: "context deadline exceeded" }) : s,
        ),
      }),
      now,
    );
    expect(v).toEqual({ health: "unhealthy", reason: "etcd not healthy (context deadline exceeded)" });
  });

  it("is degraded when only an extension service fails", () => {
    const v = machineHealth(
      machine({ services: [...services, svc("ext-iscsid", { state: "Failed" })] }),
      now,
    );
    expect(v).toEqual({ health: "degraded", reason: "ext-iscsid failed" });
    const h = machineHealth(
      machine({ services: [...services, svc("ext-tailscale", { healthy: false })] }),
      now,
    );
    expect(h).toEqual({ health: "degraded", reason: "ext-tailscale not healthy" });
  });

  it("ignores finished and skipped services and services without a health check", () => {
    const v = machineHealth(
      machine({
        services: [
          ...services,
          svc("udevd-trigger", { state: "Finished" }),
          svc("ext-x", { state: "Skipped" }),
          svc("dashboard", { healthy: false, unknown: true }),
        ],
      }),
      now,
    );
    expect(v.health).toBe("healthy");
  });

  it("is degraded when not ready for a non-critical condition, listing the unmet conditions", () => {
    const v = machineHealth(
      machine({ ready: false, unmetConditions: [{ name: "time", reason: "waiting on: time sync" }] }),
      now,
    );
    expect(v).toEqual({ health: "degraded", reason: "time: waiting on: time sync" });
    expect(machineHealth(machine({ ready: false }), now)).toEqual({
      health: "degraded",
      reason: "not ready",
    });
  });

  it("is unhealthy when the node is not Ready in Kubernetes or static pods are missing", () => {
    const v = machineHealth(
      machine({
        ready: false,
        unmetConditions: [{ name: "staticPods", reason: "kube-apiserver not running" }],
      }),
      now,
    );
    expect(v).toEqual({ health: "unhealthy", reason: "staticPods: kube-apiserver not running" });
  });

  it("is degraded while booting, with what it waits on, and forgives services still starting", () => {
    const v = machineHealth(
      machine({
        stage: "booting",
        ready: false,
        unmetConditions: [{ name: "network", reason: "waiting on: address, connectivity" }],
        services: services.map((s) => (s.id === "kubelet" ? svc("kubelet", { state: "Waiting" }) : s)),
      }),
      now,
    );
    expect(v).toEqual({ health: "degraded", reason: "booting; network: waiting on: address, connectivity" });
  });

  it("is degraded when it answers slowly", () => {
    expect(machineHealth(machine({ responseMs: 3_400 }), now)).toEqual({
      health: "degraded",
      reason: "answers slowly (3.4 s)",
    });
    expect(machineHealth(machine({ responseMs: 300 }), now).health).toBe("healthy");
  });

  it("reads a stored verdict as unknown once it is stale, keeping unreachable with a fresh age", () => {
    const stored = {
      health: "healthy" as const,
      healthReason: "",
      reachable: true,
      lastSeenAt: secondsAgo(600),
    };
    expect(currentHealth(stored, now)).toEqual({
      health: "unknown",
      reason: "no fresh state: last seen 10 minutes ago",
    });
    expect(currentHealth({ ...stored, lastSeenAt: secondsAgo(10) }, now).health).toBe("healthy");
    const gone = {
      health: "unreachable" as const,
      healthReason: "connection refused; last seen just now",
      reachable: false,
      lastSeenAt: secondsAgo(3 * 3600),
    };
    expect(currentHealth(gone, now)).toEqual({
      health: "unreachable",
      reason: "connection refused; last seen 3 hours ago",
    });
  });
});

describe("ago", () => {
  it("says how long ago in words", () => {
    expect(ago(secondsAgo(3), now)).toBe("just now");
    expect(ago(secondsAgo(42), now)).toBe("42 seconds ago");
    expect(ago(secondsAgo(60), now)).toBe("1 minute ago");
    expect(ago(secondsAgo(2 * 3600), now)).toBe("2 hours ago");
    expect(ago(secondsAgo(3 * 86400), now)).toBe("3 days ago");
  });
});

const cp = (n: number, over: Partial<ClusterMachine> = {}): ClusterMachine => ({
  hostname: `cp-${n}`,
  role: "controlplane",
  health: "healthy",
  reason: "",
  stage: "running",
  unmetConditions: [],
  services,
  reachable: true,
  ...over,
});
const worker = (n: number, over: Partial<ClusterMachine> = {}): ClusterMachine => ({
  ...cp(n),
  hostname: `w-${n}`,
  role: "worker",
  services: services.filter((s) => s.id !== "etcd"),
  ...over,
});
const down: Partial<ClusterMachine> = { health: "unreachable", reachable: false, reason: "refused" };
const healthyCluster = () => [cp(1), cp(2), cp(3), worker(1), worker(2), worker(3)];

describe("cluster health", () => {
  it("is healthy with every machine healthy, etcd quorum and the API served", () => {
    const v = clusterHealth({ machines: healthyCluster(), etcdMembers: 3 });
    expect(v.health).toBe("healthy");
    expect(v.etcd).toEqual({ members: 3, healthy: 3, quorum: true });
    expect(v.kubernetesApi).toEqual({ ready: true, servedBy: ["cp-1", "cp-2", "cp-3"] });
    expect(v.counts.healthy).toBe(6);
  });

  it("is unknown without machines or before any state", () => {
    expect(clusterHealth({ machines: [] })).toMatchObject({
      health: "unknown",
      reason: "no machines discovered yet",
    });
    const unknown = healthyCluster().map((m) => ({ ...m, health: "unknown" as const }));
    expect(clusterHealth({ machines: unknown }).health).toBe("unknown");
  });

  it("is unreachable when no machine answers", () => {
    const v = clusterHealth({ machines: healthyCluster().map((m) => ({ ...m, ...down })) });
    expect(v).toMatchObject({ health: "unreachable", reason: "none of the 6 machines answers" });
  });

  it("is degraded with one worker unreachable, naming it", () => {
    const v = clusterHealth({ machines: [cp(1), cp(2), cp(3), worker(1, down), worker(2), worker(3)] });
    expect(v.health).toBe("degraded");
    expect(v.reason).toBe("1 of 6 machines need attention: w-1 unreachable");
  });

  it("is degraded when one etcd member of three is down: quorum holds", () => {
    const v = clusterHealth({ machines: [cp(1, down), cp(2), cp(3), worker(1)], etcdMembers: 3 });
    expect(v.health).toBe("degraded");
    expect(v.etcd).toEqual({ members: 3, healthy: 2, quorum: true });
    expect(v.reason).toContain("etcd 2 of 3 members healthy (quorum holds)");
  });

  it("is unhealthy when etcd loses quorum, counting unhealthy etcd services and reported errors", () => {
    const badEtcd = services.map((s) => (s.id === "etcd" ? svc("etcd", { healthy: false }) : s));
    const v = clusterHealth({
      machines: [
        cp(1, { services: badEtcd, health: "unhealthy" }),
        cp(2, { etcdErrors: ["NOSPACE"] }),
        cp(3),
        worker(1),
      ],
      etcdMembers: 3,
    });
    expect(v.health).toBe("unhealthy");
    expect(v.reason).toMatch(/^etcd has no quorum: 1 of 3 members healthy/);
  });

  it("is unhealthy when no control plane serves the Kubernetes API", () => {
    const noApi = { unmetConditions: [{ name: "staticPods", reason: "kube-apiserver not running" }] };
    const v = clusterHealth({ machines: [cp(1, noApi), worker(1)], etcdMembers: 1 });
    expect(v.health).toBe("unhealthy");
    expect(v.kubernetesApi.ready).toBe(false);
    expect(v.reason).toContain("Kubernetes API is not ready");
    const noContainer = clusterHealth({ machines: [cp(1, { apiServerRunning: false }), worker(1)] });
    expect(noContainer.kubernetesApi.ready).toBe(false);
  });

  it("is upgrading while a machine upgrades, even if etcd is briefly short", () => {
    const v = clusterHealth({
      machines: [cp(1, { ...down, health: "upgrading", stage: "rebooting" }), cp(2), cp(3), worker(1)],
    });
    expect(v.health).toBe("upgrading");
    expect(v.reason).toMatch(/^upgrading cp-1/);
  });

  it("is unhealthy when most machines are down", () => {
    const v = clusterHealth({
      machines: [cp(1), worker(1, down), worker(2, down), worker(3, { health: "unhealthy" })],
    });
    expect(v.health).toBe("unhealthy");
  });

  it("is unhealthy without a control plane", () => {
    expect(clusterHealth({ machines: [worker(1)] })).toMatchObject({
      health: "unhealthy",
      reason: "no control plane discovered",
    });
  });
});

describe("site and fleet rollup", () => {
  it("takes the worst cluster and names the clusters that need attention", () => {
    const v = rollupHealth([
      { name: "a", health: "healthy" },
      { name: "b", health: "degraded" },
      { name: "c", health: "unhealthy" },
      { name: "d", health: "upgrading" },
    ]);
    expect(v.health).toBe("unhealthy");
    expect(v.reason).toBe("1 unhealthy, 1 degraded, 1 upgrading of 4 clusters: c, b, d");
    expect(v.counts).toMatchObject({ healthy: 1, degraded: 1, unhealthy: 1, upgrading: 1 });
  });

  it("is healthy when all are, unknown when empty", () => {
    expect(rollupHealth([{ name: "a", health: "healthy" }]).reason).toBe("all 1 clusters healthy");
    expect(rollupHealth([]).health).toBe("unknown");
  });

  it("rolls clusters up by every level of their site path", () => {
    const sites = rollupBySite([
      { name: "aarhus", site: "eu/dk/aarhus-0042", health: "healthy" },
      { name: "odense", site: "eu/dk/odense-0007", health: "unreachable" },
      { name: "berlin", site: "eu/de/berlin-0001", health: "healthy" },
      { name: "lab", site: "", health: "degraded" },
    ]);
    expect(sites.get("eu")?.health).toBe("unreachable");
    expect(sites.get("eu/dk")?.total).toBe(2);
    expect(sites.get("eu/de")?.health).toBe("healthy");
    expect(sites.get("eu/dk/aarhus-0042")?.health).toBe("healthy");
    expect(sites.get("")?.health).toBe("degraded");
  });
});

describe("machine health from the watched status alone", () => {
  it("names a failing service from the services condition when the service list lags", () => {
    const v = machineHealth(
      machine({
        ready: false,
        unmetConditions: [{ name: "services", reason: "kubelet not running, ext-foo not healthy" }],
      }),
      now,
    );
    expect(v).toEqual({ health: "unhealthy", reason: "kubelet not running; ext-foo not healthy" });
  });
});
