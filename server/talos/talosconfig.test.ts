// A user importing a talosconfig gets it accepted with its role, or one clear reason why not.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CertificateAuthority,
  createCa,
  EKU_CLIENT_AUTH,
  EKU_SERVER_AUTH,
  issueClientCert,
  renderTalosconfig,
  type TalosconfigContext,
} from "@/sim";
import { TalosconfigError } from "./errors";
import { parseTalosconfig, selectContext, withDefaultPort } from "./talosconfig";

const DAY = 24 * 60 * 60 * 1000;
let ca: CertificateAuthority;
let good: TalosconfigContext;

beforeAll(async () => {
  ca = await createCa();
  const client = await issueClientCert(ca, { role: "os:operator" });
  good = { name: "prod", endpoints: ["127.0.0.2"], nodes: ["127.0.0.3"], caPem: ca.certPem, ...client };
});

function expectConfigError(text: string, pattern: RegExp): TalosconfigError {
  try {
    parseTalosconfig(text);
  } catch (err) {
    expect(err).toBeInstanceOf(TalosconfigError);
    expect((err as Error).message).toMatch(pattern);
    return err as TalosconfigError;
  }
  throw new Error("expected the talosconfig to be rejected");
}

describe("parseTalosconfig", () => {
  it("accepts a talosctl-style file, rewrites the Ed25519 key label and reports the role", () => {
    const text = renderTalosconfig([good]);
    expect(Buffer.from(text.match(/key: (\S+)/)?.[1] ?? "", "base64").toString()).toContain(
      "BEGIN ED25519 PRIVATE KEY",
    );
    const config = parseTalosconfig(text);
    const ctx = selectContext(config);
    expect(ctx.name).toBe("prod");
    expect(ctx.roles).toEqual(["os:operator"]);
    expect(ctx.endpoints).toEqual(["127.0.0.2:50000"]);
    expect(ctx.nodes).toEqual(["127.0.0.3"]);
    expect(ctx.keyPem).toContain("-----BEGIN PRIVATE KEY-----");
    expect(ctx.keyPem).not.toContain("ED25519");
  });

  it("parses every context and selects by name", async () => {
    const other = { ...good, name: "staging", ...(await issueClientCert(ca, { role: "os:reader" })) };
    const config = parseTalosconfig(renderTalosconfig([good, other], "staging"));
    expect(config.contexts.map((c) => c.name)).toEqual(["prod", "staging"]);
    expect(selectContext(config).roles).toEqual(["os:reader"]);
    expect(selectContext(config, "prod").roles).toEqual(["os:operator"]);
    expect(() => selectContext(config, "nope")).toThrow(/no context "nope"/);
  });

  it("rejects bad YAML", () => {
    expectConfigError("context: [unclosed\ncontexts: {", /not valid YAML/);
  });

  it("rejects a file whose selected context is missing", () => {
    const text = renderTalosconfig([good], "elsewhere");
    const err = expectConfigError(text, /selects context "elsewhere".*no context of that name/);
    expect(err.context).toBe("elsewhere");
  });

  it("rejects a file with no contexts", () => {
    expectConfigError("context: a\ncontexts: {}\n", /no contexts/);
  });

  it("rejects bad base64 in a credential", () => {
    const text = renderTalosconfig([good]).replace(/crt: \S+/, "crt: not*base64!");
    expectConfigError(text, /Context "prod": `crt` is not valid base64/);
  });

  it("rejects swapped credentials", () => {
    const text = renderTalosconfig([{ ...good, certPem: good.keyPem }]);
    expectConfigError(text, /`crt` decodes, but not to a PEM certificate/);
  });

  it("rejects an expired client certificate", async () => {
    const expired = await issueClientCert(ca, {
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    expectConfigError(renderTalosconfig([{ ...good, ...expired }]), /client certificate expired on/);
  });

  it("rejects a certificate that is not valid yet", async () => {
    const future = await issueClientCert(ca, {
      notBefore: new Date(Date.now() + DAY),
      notAfter: new Date(Date.now() + 300 * DAY),
    });
    expectConfigError(renderTalosconfig([{ ...good, ...future }]), /not valid yet/);
  });

  it("rejects a certificate whose EKU is not exactly client auth", async () => {
    const server = await issueClientCert(ca, { extKeyUsage: [EKU_SERVER_AUTH] });
    expectConfigError(
      renderTalosconfig([{ ...good, ...server }]),
      /extended key usage must be exactly client authentication.*has server authentication/,
    );
    const both = await issueClientCert(ca, { extKeyUsage: [EKU_CLIENT_AUTH, EKU_SERVER_AUTH] });
    expectConfigError(renderTalosconfig([{ ...good, ...both }]), /exactly client authentication/);
  });

  it("rejects a key that does not match the certificate", async () => {
    const other = await issueClientCert(ca);
    expectConfigError(
      renderTalosconfig([{ ...good, keyPem: other.keyPem }]),
      /`key` does not belong to the certificate/,
    );
  });

  it("rejects a certificate issued by another CA", async () => {
    const foreign = await issueClientCert(await createCa());
    expectConfigError(renderTalosconfig([{ ...good, ...foreign }]), /not issued by the CA/);
  });

  it("rejects a context without endpoints", () => {
    const text = renderTalosconfig([{ ...good, endpoints: [] }]);
    expectConfigError(text, /lists no endpoints/);
  });
});

describe("withDefaultPort", () => {
  it("adds Talos's port 50000 only when none is given", () => {
    expect(withDefaultPort("10.0.0.1")).toBe("10.0.0.1:50000");
    expect(withDefaultPort("cp.example.com:6443")).toBe("cp.example.com:6443");
    expect(withDefaultPort("fd00::1")).toBe("[fd00::1]:50000");
    expect(withDefaultPort("[fd00::1]:50001")).toBe("[fd00::1]:50001");
  });
});
