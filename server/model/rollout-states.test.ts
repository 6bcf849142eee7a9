// The states a rollout page shows never contradict each other: for every combination of stored rollout,
// wave and machine states, an ended or aborting rollout shows no running wave and no waiting machine, a
// paused one no running wave, and a waiting machine in a running wave says what it waits for.
import { describe, expect, it } from "vitest";
import { machineShown, type RolloutFacts, rolloutShown, type WaveFacts, waveShown } from "./rollout-states";

const ROLLOUT = ["pending", "running", "paused", "aborting", "aborted", "completed", "rejected"];
const WAVE = ["pending", "approved", "running", "baking", "done", "rejected"];
const MACHINE = ["pending", "pulling", "pulled", "upgrading", "done", "failed", "skipped"];

const rollout = (status: string): RolloutFacts => ({ status, statusReason: "", currentWave: 0 });
const wave = (status: string, index = 0): WaveFacts => ({
  index,
  name: `Wave ${index + 1}`,
  status,
  autoAdvance: false,
  hold: "",
});
const machine = (phase: string, hold = "") => ({ phase, hold, holdUntil: null, error: null });

describe("rollout, wave and machine states", () => {
  it("never show a running wave or a waiting machine once the rollout is stopping or ended", () => {
    for (const r of ["aborting", "aborted", "rejected", "completed"]) {
      for (const w of WAVE) {
        const ws = waveShown(rollout(r), wave(w));
        expect(["running", "awaiting approval", "paused"], `${r}/${w}: ${ws.label}`).not.toContain(ws.label);
        for (const m of ["pending", "pulled"]) {
          const ms = machineShown(rollout(r), wave(w), machine(m, "waiting for the window"));
          expect(ms.tone, `${r}/${w}/${m}`).toBe("stopped");
          expect(ms.label).toMatch(/^not started/);
        }
      }
    }
    expect(waveShown(rollout("aborted"), wave("running")).label).toBe("stopped (aborted)");
    expect(waveShown(rollout("aborted"), wave("pending", 1)).label).toBe("not started (aborted)");
    expect(machineShown(rollout("aborted"), wave("running"), machine("pending")).label).toBe(
      "not started (aborted)",
    );
  });

  it("shows a paused rollout's current wave and its waiting machines as paused, with the reason", () => {
    const r = { ...rollout("paused"), statusReason: "paused by alice" };
    for (const w of ["running", "baking", "approved"]) expect(waveShown(r, wave(w)).label).toBe("paused");
    expect(machineShown(r, wave("running"), machine("pending"))).toMatchObject({
      label: "paused",
      detail: "paused by alice",
    });
  });

  it("says what a waiting machine waits for, and when a later wave starts", () => {
    const until = new Date("2026-12-14T07:00:00Z");
    const held = machineShown(rollout("running"), wave("running"), {
      ...machine("pending", "waiting for the maintenance window of us/ny, opens Mon 02:00 EST"),
      holdUntil: until,
    });
    expect(held).toMatchObject({
      tone: "waiting",
      detail: "waiting for the maintenance window of us/ny, opens Mon 02:00 EST",
      until,
    });
    expect(machineShown(rollout("running"), wave("pending", 1), machine("pending")).detail).toBe(
      "Wave 2 has not started",
    );
    expect(machineShown(rollout("running"), wave("pending"), machine("pending")).detail).toBe(
      "Wave 1 awaits approval",
    );
    expect(waveShown(rollout("running"), wave("pending", 1), wave("running")).detail).toBe(
      "its approval is asked after Wave 1",
    );
  });

  it("gives every combination a label", () => {
    for (const r of ROLLOUT) {
      expect(rolloutShown(rollout(r)).label).not.toBe("");
      for (const w of WAVE) {
        expect(waveShown(rollout(r), wave(w)).label).not.toBe("");
        for (const m of MACHINE) expect(machineShown(rollout(r), wave(w), machine(m)).label).not.toBe("");
      }
    }
  });
});
