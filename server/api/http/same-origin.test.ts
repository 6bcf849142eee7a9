import { describe, expect, it } from "vitest";
import { isCrossSiteRequest } from "./same-origin";

const req = (headers: Record<string, string>) =>
  new Request("http://minos.test/api/trpc/x", { method: "POST", headers });

describe("cross-site request detection", () => {
  it("trusts the browser's Fetch Metadata", () => {
    expect(isCrossSiteRequest(req({ "sec-fetch-site": "same-origin" }))).toBe(false);
    expect(isCrossSiteRequest(req({ "sec-fetch-site": "cross-site" }))).toBe(true);
    expect(isCrossSiteRequest(req({ "sec-fetch-site": "same-site" }))).toBe(true);
  });
  it("falls back to comparing Origin with Host", () => {
    expect(isCrossSiteRequest(req({ origin: "http://minos.test:3000", host: "minos.test:3000" }))).toBe(
      false,
    );
    expect(isCrossSiteRequest(req({ origin: "http://evil.example", host: "minos.test:3000" }))).toBe(true);
    expect(isCrossSiteRequest(req({ origin: "null", host: "minos.test:3000" }))).toBe(true);
  });
  it("believes X-Forwarded-Host only behind a trusted proxy (MINOS_TRUST_PROXY)", () => {
    const forged = req({
      origin: "http://evil.example",
      host: "minos.test",
      "x-forwarded-host": "evil.example",
    });
    expect(isCrossSiteRequest(forged, { trustProxy: false })).toBe(true);
    expect(isCrossSiteRequest(forged)).toBe(true); // the default: no proxy trusted
    const proxied = req({
      origin: "https://minos.example.com",
      host: "10.0.0.5:3000",
      "x-forwarded-host": "minos.example.com",
    });
    expect(isCrossSiteRequest(proxied, { trustProxy: true })).toBe(false);
  });
  it("lets non-browser clients without Origin through (they carry no ambient cookies)", () => {
    expect(isCrossSiteRequest(req({ host: "minos.test" }))).toBe(false);
  });
});
