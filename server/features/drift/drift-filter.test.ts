// The machines list's drift filters against the drift overview: every count of the overview is exactly the
// number of machines its link lists, acknowledgements and scope included; outlier groups list their machines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import type { Principal } from "../../model/principal";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { danishViewer, everyone, seedViewsFleet } from "../../testing/views-fleet";
import type { DriftReading } from "./read-drift-state";
import { recordDriftState } from "./record-drift-state";

let database: TestDatabase;
let ids: Map<string, string>;
const as = (p: Principal) => createCaller(createContextInner({ db: database.db, principal: p }));
const admin = () => principalWith("ada", "admin");
const id = (hostname: string) => [...ids].find(([k]) => k.endsWith(`/${hostname}`))?.[1] ?? "";
type ListInput = Parameters<ReturnType<typeof as>["machines"]["list"]>[0];
const listed = async (p: Principal, input: ListInput) =>
  (await as(p).machines.list({ ...input, pageSize: 500 })).rows.map((r) => r.hostname).sort();

const item = (hostname: string, field: string, kind: string, state = "drifted") => ({
  machineId: id(hostname),
  field,
  kind,
  declared: "x",
  actual: state === "drifted" ? "y" : undefined,
  state,
  baselineId: "00000000-0000-4000-8000-000000000001",
  baselineName: "fleet",
  since: new Date(),
});

const reading = (extensions: string[]): DriftReading => ({
  extensions,
  schematicId: "",
  schematic: null,
  kernelArgs: ["pti=on"],
  config: null,
  configUnknownReason: "unknown: needs admin credential",
});

beforeAll(async () => {
  database = await createTestDatabase();
  ids = await seedViewsFleet(database.db);
  await database.db.driftItem.createMany({
    data: [
      item("aarhus-w-1", "kernelArg:mitigations", "kernelArg"),
      item("aarhus-w-1", "config:v1alpha1:machine.kubelet.extraArgs.max-pods", "config"),
      item("aarhus-w-2", "talosVersion", "talosVersion"),
      item("lund-borrowed-w-1", "extensions", "extensions"),
      item("malmo-cp-1", "config:v1alpha1:machine.features.rbac", "config", "unknown"),
      item("malmo-secret-w-1", "kernelArg:mitigations", "kernelArg"),
    ],
  });
  // workers run the same, but aarhus-w-2 runs tailscale too: an outlier group with no baseline
  for (const w of ["aarhus-w-1", "malmo-secret-w-1", "lund-borrowed-w-1"]) {
    await recordDriftState(database.db, id(w), reading(["iscsi-tools"]));
  }
  await recordDriftState(database.db, id("aarhus-w-2"), reading(["iscsi-tools", "tailscale"]));
});

afterAll(() => database?.drop());

describe("drift filters of the machines list", () => {
  it("each count of the drift overview is the number of machines its filter lists", async () => {
    for (const viewer of [everyone(), danishViewer()]) {
      const o = await as(viewer).drift.overview();
      const total = async (input: ListInput) => (await as(viewer).machines.list(input)).total;
      expect(await total({ drift: "drifted" })).toBe(o.drifted);
      expect(await total({ drift: "unknown" })).toBe(o.unknownOnly);
      expect(await total({ drift: "clean" })).toBe(o.machines - o.drifted - o.unknownOnly);
      for (const k of o.byKind) {
        expect(await total({ drift: "drifted", driftKind: k.key as never })).toBe(k.machines);
      }
      for (const s of o.bySite.filter((x) => x.key !== "(no site)")) {
        expect(await total({ drift: "drifted", selector: `site=${s.key}` })).toBe(s.machines);
      }
      for (const c of o.byCluster) expect(await total({ drift: "drifted", cluster: c.key })).toBe(c.machines);
    }
    expect(await listed(everyone(), { drift: "drifted" })).toEqual([
      "aarhus-w-1",
      "aarhus-w-2",
      "lund-borrowed-w-1",
      "malmo-secret-w-1",
    ]);
    expect(await listed(everyone(), { driftKind: "kernelArg" })).toEqual(["aarhus-w-1", "malmo-secret-w-1"]);
    expect(await listed(everyone(), { drift: "unknown" })).toEqual(["malmo-cp-1"]);
    expect(await listed(everyone(), { drift: "clean" })).toEqual(["aarhus-cp-1", "lund-cp-1"]);
    // a Danish viewer never sees the Swedish machines, whatever the filter
    expect(await listed(danishViewer(), { drift: "drifted" })).toEqual([
      "aarhus-w-1",
      "aarhus-w-2",
      "lund-borrowed-w-1",
    ]);
    expect(
      (await as(danishViewer()).machines.matchingIds({ drift: "drifted", driftKind: "kernelArg" })).ids,
    ).toEqual([id("aarhus-w-1")]);
  });

  it("acknowledged drift leaves the drifted list until it expires, and has its own filter", async () => {
    await as(admin()).drift.acknowledge({
      machineId: id("malmo-secret-w-1"),
      field: "kernelArg:mitigations",
      reason: "firmware fix due next week",
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    expect(await listed(everyone(), { driftKind: "kernelArg" })).toEqual(["aarhus-w-1"]);
    expect(await listed(everyone(), { drift: "acknowledged" })).toEqual(["malmo-secret-w-1"]);
    expect(await listed(everyone(), { drift: "clean" })).toEqual([
      "aarhus-cp-1",
      "lund-cp-1",
      "malmo-secret-w-1",
    ]);
    const o = await as(everyone()).drift.overview();
    expect(o.byKind.find((k) => k.key === "kernelArg")?.machines).toBe(1);
    await as(admin()).drift.unacknowledge({
      machineId: id("malmo-secret-w-1"),
      field: "kernelArg:mitigations",
    });
    expect(await listed(everyone(), { driftKind: "kernelArg" })).toEqual(["aarhus-w-1", "malmo-secret-w-1"]);
  });

  it("an outlier group of the overview lists its machines; a group that is gone lists none", async () => {
    const [group] = (await as(everyone()).drift.overview()).outliers;
    expect(group?.summary).toBe("1 of 4 workers in the fleet differ: extension tailscale");
    const res = await as(everyone()).machines.list({ outlier: group?.key });
    expect(res.rows.map((r) => r.hostname)).toEqual(["aarhus-w-2"]);
    expect(res.outlier).toEqual({ summary: group?.summary });
    // the Danish viewer judges among its own machines: 1 of its 3 workers is too many for a minority
    const dk = await as(danishViewer()).machines.list({ outlier: group?.key });
    expect(dk).toMatchObject({ total: 0, outlier: { summary: null } });
    await recordDriftState(database.db, id("aarhus-w-2"), reading(["iscsi-tools"]));
    // the list may serve the group as it was up to two seconds ago; the overview is current at once
    expect((await as(everyone()).drift.overview()).outliers).toEqual([]);
    const gone = await as(everyone()).machines.list({ outlier: group?.key });
    expect(gone).toMatchObject({ total: 0, outlier: { summary: null } });
  });

  it("says what is wrong with a kind on clean machines or a malformed group key", async () => {
    await expect(as(everyone()).machines.list({ drift: "clean", driftKind: "config" })).rejects.toThrow(
      "A drift kind narrows drifted, unknown or acknowledged machines; leave it out to list clean ones.",
    );
    await expect(as(everyone()).machines.list({ outlier: "not a key" })).rejects.toThrow(
      "an outlier group key as the drift overview links it",
    );
  });
});
