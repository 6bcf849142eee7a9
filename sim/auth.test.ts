// Roles from the client certificate, COSI access rules, and certificates apid would refuse at the handshake.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EKU_SERVER_AUTH } from "./pki";
import { md, startTestSim, type TestSim, unary } from "./test-helpers";

let t: TestSim;
let endpoint: string;
let worker: string;

beforeAll(async () => {
  t = await startTestSim({ clusters: 1, nodesPerCluster: 4, seed: "auth" });
  const cl = t.sim.clusters[0];
  if (!cl) throw new Error("no cluster");
  endpoint = cl.endpoint;
  worker = cl.nodes[3]?.address ?? "";
});
afterAll(() => t.close());

const get = (type: string, namespace: string, id: string) => ({ namespace, type, id, options: {} });

describe("roles", () => {
  it("lets a reader read and refuses it an upgrade with `not authorized`", async () => {
    const c = t.clients(endpoint, await t.credsFor({ role: "os:reader" }));
    expect((await unary(c.machine.version, c.machine, {}, md({ node: worker }))).err).toBeNull();
    const { err } = await unary(
      c.machine.upgrade,
      c.machine,
      {
        image: "ghcr.io/siderolabs/installer:v1.13.9",
        preserve: false,
        stage: false,
        force: false,
        rebootMode: 0,
      },
      md({ node: worker }),
    );
    expect(err?.code).toBe(status.PERMISSION_DENIED);
    expect(err?.details).toBe("not authorized");
  });

  it("lets an operator reboot-class calls through but not upgrades", async () => {
    const c = t.clients(endpoint, await t.credsFor({ role: "os:operator" }));
    const restart = await unary(c.machine.serviceRestart, c.machine, { id: "apid" }, md({ node: worker }));
    expect(restart.err?.details).toBe('service "apid" doesn\'t support restart operation via API');
    const rb = await unary(c.machine.rollback, c.machine, {}, md({ node: worker }));
    expect(rb.err?.code).toBe(status.PERMISSION_DENIED);
  });

  it("serves machine configs (with secrets) to admins only", async () => {
    const reader = t.clients(endpoint, await t.credsFor({ role: "os:reader" }));
    const denied = await unary(
      reader.state.get,
      reader.state,
      get("MachineConfigs.config.talos.dev", "config", "v1alpha1"),
    );
    expect(denied.err?.code).toBe(status.PERMISSION_DENIED);
    const admin = t.clients(endpoint);
    const ok = await unary(
      admin.state.get,
      admin.state,
      get("MachineConfigs.config.talos.dev", "config", "v1alpha1"),
    );
    expect(ok.res?.resource?.spec?.yamlSpec).toContain("secretboxEncryptionSecret");
  });

  it("refuses writes, unknown types, and maps missing resources to NotFound", async () => {
    const c = t.clients(endpoint);
    const w = await unary(c.state.destroy, c.state, {
      namespace: "runtime",
      type: "MachineStatuses.runtime.talos.dev",
      id: "machine",
      options: undefined,
    });
    expect(w.err?.code).toBe(status.PERMISSION_DENIED);
    expect(w.err?.details).toBe("write access is not allowed");
    const unknown = await unary(c.state.get, c.state, get("Nope.talos.dev", "runtime", "x"));
    expect(unknown.err?.code).toBe(status.PERMISSION_DENIED);
    const missing = await unary(c.state.get, c.state, get("Services.v1alpha1.talos.dev", "runtime", "nope"));
    expect(missing.err?.code).toBe(status.NOT_FOUND);
  });
});

describe("certificates", () => {
  it("refuses a client certificate without ClientAuth at the handshake", async () => {
    const c = t.clients(endpoint, await t.credsFor({ extKeyUsage: [EKU_SERVER_AUTH] }));
    const { err } = await unary(c.machine.version, c.machine, {}, md(), 3000);
    expect(err?.code).toBe(status.UNAVAILABLE);
  });

  it("refuses an expired client certificate", async () => {
    const past = new Date(Date.now() - 2 * 365 * 24 * 3600 * 1000);
    const c = t.clients(
      endpoint,
      await t.credsFor({ notBefore: past, notAfter: new Date(Date.now() - 3600_000) }),
    );
    const { err } = await unary(c.machine.version, c.machine, {}, md(), 3000);
    expect(err?.code).toBe(status.UNAVAILABLE);
  });
});
