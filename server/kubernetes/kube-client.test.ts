// What Minos says about a kubeconfig it cannot use, and about an eviction a disruption budget refuses.
import { describe, expect, it } from "vitest";
import { blockedBy } from "./drain";
import { KubeError } from "./errors";
import { loadKubeconfig } from "./kube-client";

describe("loadKubeconfig", () => {
  it("says what is wrong with a kubeconfig it cannot use", () => {
    expect(() => loadKubeconfig("clusters: [")).toThrow(
      /^The kubeconfig cannot be read \(.+\)\. Give the file kubectl uses/,
    );
    expect(() =>
      loadKubeconfig("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"),
    ).toThrow(
      "The kubeconfig names no current cluster with a server address. Set current-context to this cluster's context.",
    );
  });
});

describe("blockedBy", () => {
  const pod = { metadata: { namespace: "shop", name: "tills-7d9f-abcde" } };
  it("names the budget, in the API server's numbers", () => {
    const refused = new KubeError("Evicting pod failed (HTTP 429 TooManyRequests)", 429, "TooManyRequests", [
      "The disruption budget tills-pdb needs 2 healthy pods and has 2 currently",
    ]);
    expect(blockedBy(pod, refused)).toBe("PDB shop/tills-pdb allows 0 disruptions (2 of 2 healthy required)");
    const short = new KubeError("x", 429, "TooManyRequests", [
      "The disruption budget tills-pdb needs 2 healthy pods and has 1 currently",
    ]);
    expect(blockedBy(pod, short)).toBe("PDB shop/tills-pdb allows 0 disruptions (needs 2 healthy, has 1)");
  });
  it("falls back to the API's own words", () => {
    const other = new KubeError(
      "Evicting pod shop/tills-7d9f-abcde failed (HTTP 429 TooManyRequests): slow down",
      429,
      "TooManyRequests",
    );
    expect(blockedBy(pod, other)).toBe(
      "shop/tills-7d9f-abcde: eviction refused (Evicting pod shop/tills-7d9f-abcde failed (HTTP 429 TooManyRequests): slow down)",
    );
  });
});
