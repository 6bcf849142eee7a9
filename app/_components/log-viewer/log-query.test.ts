// The log view's URL: what a link holds comes back the same.
import { describe, expect, it } from "vitest";
import { defaultSource, logQueryString, parseLogQuery } from "./log-query";

const A = "0b7f3e7a-8a3c-4a57-9a57-1c3f0f2b6a01";
const B = "1c7f3e7a-8a3c-4a57-9a57-1c3f0f2b6a02";

describe("parseLogQuery", () => {
  it("reads machines, source, tail, follow and the filter", () => {
    const q = parseLogQuery(
      new URLSearchParams(
        `machines=${A},${B}&source=kubelet&tail=1000&follow=0&q=E\\d%2B&re=1&case=1&levels=error,warn`,
      ),
    );
    expect(q).toEqual({
      machines: [A, B],
      invalidMachines: [],
      source: "kubelet",
      tail: 1000,
      follow: false,
      filter: { query: "E\\d+", regex: true, caseSensitive: true, levels: ["error", "warn"], showAll: false },
    });
  });

  it("defaults what is missing and refuses what is not valid", () => {
    const q = parseLogQuery(new URLSearchParams(`machines=${A},nope,${A}&source=../x&tail=-5`));
    expect(q.machines).toEqual([A]);
    expect(q.invalidMachines).toEqual(["nope"]);
    expect(q.source).toBeUndefined();
    expect(q.tail).toBe(500);
    expect(q.follow).toBe(true);
    expect(q.filter.levels).toHaveLength(5);
    expect(parseLogQuery(new URLSearchParams("tail=999999")).tail).toBe(10_000);
  });
});

describe("logQueryString", () => {
  it("round-trips and leaves defaults out", () => {
    const s = `machines=${A},${B}&source=etcd&tail=100&q=took+too+long&levels=warn`;
    const q = parseLogQuery(new URLSearchParams(s));
    expect(logQueryString(q)).toBe(s);
    expect(parseLogQuery(new URLSearchParams(logQueryString(q)))).toEqual(q);
    expect(logQueryString(parseLogQuery(new URLSearchParams(`machines=${A}`)), false)).toBe("");
  });
});

describe("defaultSource", () => {
  it("prefers kubelet, then machined", () => {
    expect(defaultSource(["machined", "kubelet", "kernel"])).toBe("kubelet");
    expect(defaultSource(["apid", "machined", "kernel"])).toBe("machined");
    expect(defaultSource(["kernel"])).toBe("kernel");
    expect(defaultSource([])).toBeUndefined();
  });
});
