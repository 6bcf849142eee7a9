// Maintenance windows kept in Minos: when one opens and closes in its site's time zone, input errors
// that name the field, editing by scope (audited), reading by scope, and the reconciler and the plan
// going by the stored windows as soon as they change.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/app-router";
import { createContextInner } from "../../api/trpc/context";
import {
  asSchedulerWindow,
  endOf,
  maintenanceWindowInputSchema,
  openingOf,
} from "../../model/maintenance-window";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { principalWith } from "../../testing/principals";
import { seedInventory } from "../../testing/seed-inventory";
import { RolloutReconciler } from "./reconciler/reconciler";

const weekend = {
  site: "eu/dk/*",
  timeZone: "Europe/Copenhagen",
  days: ["sat", "sun"] as ("sat" | "sun")[],
  start: "22:00",
  durationMinutes: 240,
};

describe("a maintenance window's openings", () => {
  it("ends after its duration, past midnight in local time", () => {
    expect(endOf("22:00", 240)).toBe("02:00");
    expect(endOf("01:30", 30)).toBe("02:00");
    expect(endOf("06:00", 1440)).toBe("06:00");
    expect(asSchedulerWindow(weekend)).toMatchObject({ start: "22:00", end: "02:00" });
  });

  it("opens and closes at the local times of its site's zone", () => {
    const w = asSchedulerWindow(weekend);
    // Saturday 21:30 in Copenhagen (UTC+1 in November): opens at 22:00 local.
    expect(openingOf(w, Date.parse("2026-11-28T20:30:00Z"))).toEqual({
      open: false,
      opensAt: new Date("2026-11-28T21:00:00Z"),
      closesAt: null,
    });
    // Sunday 00:30 local, inside Saturday's opening: closes at 02:00 local.
    expect(openingOf(w, Date.parse("2026-11-28T23:30:00Z"))).toEqual({
      open: true,
      opensAt: null,
      closesAt: new Date("2026-11-29T01:00:00Z"),
    });
    // Monday 03:00 local: closed until Saturday 22:00.
    expect(openingOf(w, Date.parse("2026-11-30T02:00:00Z")).opensAt).toEqual(
      new Date("2026-12-05T21:00:00Z"),
    );
    // In summer time (UTC+2) the same local time is an hour earlier in UTC.
    expect(openingOf(w, Date.parse("2026-06-06T12:00:00Z")).opensAt).toEqual(
      new Date("2026-06-06T20:00:00Z"),
    );
  });

  it("runs on across back-to-back openings, and never closes when open all day every day", () => {
    const days = { ...weekend, timeZone: "UTC", start: "00:00", durationMinutes: 1440 };
    // Monday 10:00: Monday's and Tuesday's openings meet, so it closes Wednesday 00:00.
    expect(
      openingOf(asSchedulerWindow({ ...days, days: ["mon", "tue"] }), Date.parse("2026-11-30T10:00:00Z")),
    ).toEqual({
      open: true,
      opensAt: null,
      closesAt: new Date("2026-12-02T00:00:00Z"),
    });
    const always = asSchedulerWindow({ ...days, days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] });
    expect(openingOf(always, Date.parse("2026-11-30T10:00:00Z"))).toEqual({
      open: true,
      opensAt: null,
      closesAt: null,
    });
  });

  it("refuses bad input with errors that name the field", () => {
    const issues = (v: unknown) =>
      maintenanceWindowInputSchema
        .safeParse(v)
        .error?.issues.map((i) => `${i.path.join(".")} ${i.message}`) ?? [];
    expect(issues({ ...weekend, site: "EU/dk" })).toEqual([
      "site must be a site (eu/dk/aarhus-0042), every site under a prefix (eu/dk/*), or * for all sites",
    ]);
    expect(issues({ ...weekend, timeZone: "Europe/Aarhus" })).toEqual([
      "timeZone must be an IANA time zone such as Europe/Copenhagen or America/New_York",
    ]);
    expect(issues({ ...weekend, days: [] })).toEqual(["days must include at least one day"]);
    expect(issues({ ...weekend, start: "24:00" })).toEqual(["start must be a time of day as HH:MM (24 h)"]);
    expect(issues({ ...weekend, durationMinutes: 0 })).toEqual(["durationMinutes must be at least 1 minute"]);
    expect(issues({ ...weekend, durationMinutes: 1441 })).toEqual([
      "durationMinutes must be at most 24 hours",
    ]);
    expect(issues({ ...weekend, site: "*" })).toEqual([]);
    expect(issues({ ...weekend, site: "eu/dk/aarhus-0042" })).toEqual([]);
  });
});

describe("maintenance windows in Minos", () => {
  let database: TestDatabase;
  const olivia = principalWith("olivia", "operator");
  const abe = principalWith("abe", "approver");
  const lou = principalWith("lou", { role: "operator", scope: "site:eu/dk/*" });
  const usViewer = principalWith("una", { role: "viewer", scope: "site:us/*" });
  const as = (p: typeof olivia) => createCaller(createContextInner({ db: database.db, principal: p }));

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedInventory(database.db, [
      {
        name: "aarhus",
        site: "eu/dk/aarhus",
        machines: [{ hostname: "aarhus-cp" }, { hostname: "aarhus-w1" }],
      },
      { name: "austin", site: "us/tx/austin", machines: [{ hostname: "austin-cp" }] },
    ]);
  }, 60_000);
  afterAll(() => database?.drop());

  it("are edited by operators within their scope, read by everyone whose sites they touch, and audited", async () => {
    const dk = await as(lou).rollouts.maintenanceWindows.add(weekend);
    await as(olivia).rollouts.maintenanceWindows.add({ ...weekend, site: "*", days: ["sun"] });
    await as(olivia).rollouts.maintenanceWindows.add({
      ...weekend,
      site: "us/tx/*",
      timeZone: "America/Chicago",
    });
    // Beyond the site scope: every site, another region, or a prefix wider than the scope.
    for (const site of ["*", "us/tx/*", "eu/*"]) {
      await expect(as(lou).rollouts.maintenanceWindows.add({ ...weekend, site })).rejects.toThrow(
        /within your scope|within the scope you may run rollouts in/,
      );
    }
    await expect(as(abe).rollouts.maintenanceWindows.add(weekend)).rejects.toThrow(/operator or admin/);

    const all = await as(abe).rollouts.maintenanceWindows.list();
    expect(all.map((w) => w.site)).toEqual(["*", "eu/dk/*", "us/tx/*"]);
    expect(all.every((w) => !w.canEdit)).toBe(true);
    const mine = await as(lou).rollouts.maintenanceWindows.list();
    expect(mine.map((w) => [w.site, w.canEdit])).toEqual([
      ["*", false],
      ["eu/dk/*", true],
    ]);
    expect((await as(usViewer).rollouts.maintenanceWindows.list()).map((w) => w.site)).toEqual([
      "*",
      "us/tx/*",
    ]);
    const listed = mine[1];
    expect(listed?.open ? listed.closesAt : listed?.opensAt).toBeInstanceOf(Date);
    expect(listed?.createdBy).toBe("lou");

    await as(lou).rollouts.maintenanceWindows.update({ id: dk.id, window: { ...weekend, start: "23:00" } });
    const us = all[2]?.id as string;
    // A window lou cannot even see (none of lou's sites) is not found for lou, as one that does not exist.
    await expect(as(lou).rollouts.maintenanceWindows.remove({ id: us })).rejects.toThrow(/does not exist/);
    // One lou sees (it covers every site) but may not edit: refused, saying why.
    const everywhere = all.find((w) => w.site === "*")?.id as string;
    await expect(as(lou).rollouts.maintenanceWindows.remove({ id: everywhere })).rejects.toThrow(
      /needs a fleet-wide operator or admin grant/,
    );
    await as(olivia).rollouts.maintenanceWindows.remove({ id: us });
    expect((await as(abe).rollouts.maintenanceWindows.list()).map((w) => `${w.site} ${w.start}`)).toEqual([
      "* 22:00",
      "eu/dk/* 23:00",
    ]);

    const audit = await database.db.auditEntry.findMany({
      where: { action: { startsWith: "rollouts.maintenanceWindows." }, result: "ok" },
      orderBy: { id: "asc" },
    });
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual([
      "lou rollouts.maintenanceWindows.add",
      "olivia rollouts.maintenanceWindows.add",
      "olivia rollouts.maintenanceWindows.add",
      "lou rollouts.maintenanceWindows.update",
      "olivia rollouts.maintenanceWindows.remove",
    ]);
    expect(audit[3]?.details).toMatchObject({
      start: "23:00",
      before: "eu/dk/* sat,sun 22:00 +240 min Europe/Copenhagen",
    });
    for (const w of await database.db.maintenanceWindow.findMany())
      await database.db.maintenanceWindow.delete({ where: { id: w.id } });
  });

  it("hold a running rollout's machines until their site's window opens, and shape the plan's warnings", async () => {
    const hour = new Date().getUTCHours();
    // Closed for the next hours: opens twelve hours from now, every day, for an hour.
    const closed = {
      site: "us/tx/*",
      timeZone: "UTC",
      days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as ("mon" | "tue")[],
      start: `${String((hour + 12) % 24).padStart(2, "0")}:00`,
      durationMinutes: 60,
    };
    const { id: windowId } = await as(olivia).rollouts.maintenanceWindows.add(closed);
    const spec = {
      name: "austin",
      installerImage: "ghcr.io/siderolabs/installer:v1.12.0",
      scope: { selector: "" },
      wavePlan: { canary: { kind: "none" as const }, waves: [] },
      safety: { bakeMinutes: 0, allowSingleControlPlane: true },
    };
    // The plan warns about the sites no window covers.
    const plan = await as(olivia).rollouts.preview(spec);
    expect(plan.warnings).toContain(
      "No maintenance window covers 1 site (eu/dk/aarhus): they are upgraded at any time.",
    );

    const { id: rolloutId } = await as(olivia).rollouts.create({ ...spec, scope: { clusters: ["austin"] } });
    await as(abe).rollouts.decide({ rolloutId, waveIndex: 0, revision: 1, approve: true, comment: "" });
    const reconciler = new RolloutReconciler({ db: database.db, log: pino({ level: "silent" }) });
    const phase = async () =>
      (await database.db.rolloutMachine.findFirstOrThrow({ where: { rolloutId } })).phase;
    await reconciler.pass();
    await reconciler.pass();
    expect(await phase()).toBe("pending");

    // The window now lasts the whole day: the next pass starts the machine (and, with no credential
    // for the cluster, fails it — what matters is that it started).
    await as(olivia).rollouts.maintenanceWindows.update({
      id: windowId,
      window: { ...closed, durationMinutes: 1440 },
    });
    await reconciler.pass();
    expect(await phase()).not.toBe("pending");
    await reconciler.stop();
  });
});
