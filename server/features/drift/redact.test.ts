// Redaction: no secret of a simulated machine's configuration (read over the real COSI API) survives, whatever its
// field; secrets in fields nobody listed are caught by their shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { secretsOfConfig } from "../../testing/config-secrets";
import { startTestFleet, type TestFleet } from "../../testing/talos-fleet";
import { parseConfigText } from "./config-documents";
import { looksSecret, REDACTED, redactDocuments } from "./redact";

let fleet: TestFleet;
const configs: string[] = [];

beforeAll(async () => {
  fleet = await startTestFleet({ nodesPerCluster: 4, seed: "redact" });
  for (const n of fleet.cluster.nodes) configs.push(await fleet.client.machineConfig({ node: n.address }));
});
afterAll(() => fleet.stop());

describe("redaction of machine configurations", () => {
  it("leaves none of the simulator's secrets in the redacted documents", () => {
    expect(configs).toHaveLength(4);
    for (const text of configs) {
      const { values, pems } = secretsOfConfig(text);
      expect(values.length).toBeGreaterThanOrEqual(6);
      expect(pems.length).toBeGreaterThanOrEqual(2);
      for (const s of values) expect(text).toContain(s); // the raw text does hold them
      const out = stringify(redactDocuments(parseConfigText(text).documents));
      for (const s of [...values, ...pems]) expect(out).not.toContain(s);
      expect(out).toContain(REDACTED);
      // what is not secret stays comparable
      expect(out).toContain("ghcr.io/siderolabs/installer:");
      expect(out).toContain("cluster.local");
    }
  });

  it("catches secrets by shape in fields that are not on the list", () => {
    const text = [
      "version: v1alpha1",
      "machine:",
      "  env:",
      "    https_proxy: http://proxyuser:hunter2pass@proxy.example:3128",
      "    GITHUB_TOKEN: plain",
      "    LOG_LEVEL: debug",
      "  files:",
      "    - path: /var/etc/x.conf",
      "      permissions: 0o600",
      "      op: create",
      "      content: password=abc",
      "  kubelet:",
      "    extraArgs:",
      "      bootstrap: abcdef.0123456789abcdef",
      "      client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV",
      "      oidc: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
      "      random: Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo",
      "      max-pods: '250'",
      "---",
      "apiVersion: v1alpha1",
      "kind: SideroLinkConfig",
      "apiUrl: https://omni.example:8090?jointoken=s3cr3tJoinTokenValue",
      "---",
      "apiVersion: v1alpha1",
      "kind: RegistryAuthConfig",
      "name: ghcr.io",
      "username: robot",
      "password: hunter3",
    ].join("\n");
    const out = stringify(redactDocuments(parseConfigText(text).documents));
    for (const secret of [
      "hunter2pass",
      "plain",
      "password=abc",
      "abcdef.0123456789abcdef",
      "LS0tLS1CRUdJTi",
      "eyJhbGci",
      "Zm9vYmFy",
      "s3cr3tJoinTokenValue",
      "hunter3",
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('max-pods: "250"');
    expect(out).toContain("LOG_LEVEL: debug");
    expect(out).toContain("/var/etc/x.conf");
  });

  it("a keyed digest shows a rotated secret as a change without revealing it", () => {
    const digest = (s: string) => `#${s.length}`;
    const a = redactDocuments(parseConfigText("version: v1alpha1\ncluster:\n  secret: one\n").documents, {
      digest,
    });
    const b = redactDocuments(parseConfigText("version: v1alpha1\ncluster:\n  secret: three\n").documents, {
      digest,
    });
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toContain("one");
  });

  it("does not mistake ordinary values for secrets", () => {
    for (const v of [
      "ghcr.io/siderolabs/installer:v1.13.9",
      "factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.9",
      "prod-fra-1-w-10",
      "10.244.0.0/16",
      "https://10.0.0.1:6443",
    ]) {
      expect(looksSecret(v)).toBe(false);
    }
  });
});
