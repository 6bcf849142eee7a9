import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { localPath } from "../../../model/local-path";
import { FLOW_TTL_MS, type FlowState, flowCookie, flowKeyFrom, readFlowState } from "./flow-state";

const newKey = () => flowKeyFrom({ key: randomBytes(32), id: Buffer.alloc(8), source: "environment" });
const flow: FlowState = {
  state: "s",
  nonce: "n",
  verifier: "v",
  redirectUri: "https://minos.example.com/api/auth/oidc/callback",
  next: "/machines",
  startedAt: Date.now(),
};
/** The Cookie header a browser sends back for a Set-Cookie value. */
const sentBack = (setCookie: string) => setCookie.split(";")[0] ?? "";

describe("OIDC flow cookie", () => {
  it("comes back as it was sealed, Secure over HTTPS", () => {
    const key = newKey();
    const cookie = flowCookie(key, flow, { secure: true });
    expect(cookie).toMatch(/; Secure/);
    expect(readFlowState(key, `other=1; ${sentBack(cookie)}`)).toEqual(flow);
  });

  it("is refused when altered, sealed under another key, expired or absent", () => {
    const key = newKey();
    const value = sentBack(flowCookie(key, flow, { secure: false }));
    const flipped = `${value.slice(0, -2)}${value.endsWith("A") ? "B" : "A"}${value.slice(-1)}`;
    expect(readFlowState(key, flipped)).toBeNull();
    expect(readFlowState(newKey(), value)).toBeNull();
    expect(readFlowState(key, value, flow.startedAt + FLOW_TTL_MS + 1)).toBeNull();
    expect(readFlowState(key, null)).toBeNull();
    expect(readFlowState(key, "minos_oidc_flow=not-sealed")).toBeNull();
  });
});

describe("the page after sign-in", () => {
  it("is a path on this site and nothing else", () => {
    expect(localPath("/machines?site=eu%2Fdk")).toBe("/machines?site=eu%2Fdk");
    for (const bad of [
      null,
      "",
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example",
      "/\tx",
      "fleet",
      // The outside test's links: a tab or a newline after the first slash made a browser go elsewhere.
      "/\t/127.0.0.1:9/pwned",
      "/\n/127.0.0.1:9/pwned",
      "/%09/127.0.0.1:9/pwned".replace("%09", "\t"),
    ]) {
      expect(localPath(bad)).toBe("/fleet");
    }
  });
});
