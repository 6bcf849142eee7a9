// Rollouts: plan preview, create, change, list, one rollout, wave decisions, controls, archiving;
// locks and maintenance windows in their own routers.
import { z } from "zod";
import { sharedClusterClients } from "../../features/credentials/cluster-clients";
import { sharedKubeClients } from "../../features/kubernetes/kube-clients";
import { setRolloutArchived } from "../../features/rollouts/archive-rollout";
import { getChangeSummary } from "../../features/rollouts/change-summary";
import {
  changeRollout,
  createRollout,
  previewRollout,
  rolloutSpecSchema,
} from "../../features/rollouts/create-rollout";
import { decideWave, waveDecisionSchema } from "../../features/rollouts/decide-wave";
import { getDisruptionRisks } from "../../features/rollouts/disruption-risks";
import { getRollout } from "../../features/rollouts/get-rollout";
import { listRollouts } from "../../features/rollouts/list-rollouts";
import { pendingApprovals } from "../../features/rollouts/pending-approvals";
import { controlRollout, machineControl } from "../../features/rollouts/rollout-controls";
import { getWaveBriefing } from "../../features/rollouts/wave-briefing";
import { scopesFor } from "../../model/principal";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";
import { locksRouter } from "./locks.router";
import { maintenanceWindowsRouter } from "./maintenance-windows.router";

const id = z.uuid("must be a rollout id");

export const rolloutsRouter = router({
  locks: locksRouter,
  maintenanceWindows: maintenanceWindowsRouter,

  preview: authorized("rollouts.run")
    .input(rolloutSpecSchema)
    .query(({ ctx, input }) =>
      previewRollout({ db: ctx.db, scopes: scopesFor(ctx.principal, "rollouts.run"), spec: input }),
    ),

  create: authorized("rollouts.run")
    .input(rolloutSpecSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.details = {
        name: input.name,
        image: input.installerImage,
        scope: input.scope,
        // Turning the drain off is a decision the trail keeps, with its reason.
        drain: input.safety.drain ? "on" : `off: ${input.safety.drainOffReason}`,
      };
      const r = await createRollout({
        db: ctx.db,
        principal: ctx.principal,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        spec: input,
      });
      ctx.audit.target = `rollout:${r.id}`;
      return { id: r.id, waves: r.plan.waves.length, machines: r.plan.planned };
    }),

  change: authorized("rollouts.run")
    .input(z.object({ id, spec: rolloutSpecSchema }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `rollout:${input.id}`;
      const r = await changeRollout({
        db: ctx.db,
        principal: ctx.principal,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        id: input.id,
        spec: input.spec,
      });
      ctx.audit.details = {
        voidedApprovals: r.voided,
        drain: input.spec.safety.drain ? "on" : `off: ${input.spec.safety.drainOffReason}`,
      };
      return { voidedApprovals: r.voided, machines: r.plan.planned };
    }),

  /** Archived rollouts only with `showArchived`. */
  list: authorized("fleet.read")
    .input(z.object({ showArchived: z.boolean().default(false) }).default({ showArchived: false }))
    .query(({ ctx, input }) =>
      listRollouts({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "fleet.read"),
        showArchived: input.showArchived,
      }),
    ),

  byId: authorized("fleet.read")
    .input(z.object({ id }))
    .query(({ ctx, input }) =>
      getRollout({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read"), id: input.id }),
    ),

  /** What an approver weighs for one wave: estimated duration, when it can start, and the risk. */
  briefing: authorized("fleet.read")
    .input(z.object({ id, waveIndex: z.number().int().min(0) }))
    .query(({ ctx, input }) =>
      getWaveBriefing({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "fleet.read"),
        rolloutId: input.id,
        waveIndex: input.waveIndex,
      }),
    ),

  /**
   * What draining the wave's nodes would run into, read live from the clusters' Kubernetes APIs:
   * budgets allowing no disruption, pods without a controller, nodes cordoned by someone else.
   */
  disruptionRisks: authorized("fleet.read")
    .input(z.object({ id, waveIndex: z.number().int().min(0) }))
    .query(({ ctx, input }) =>
      getDisruptionRisks({
        db: ctx.db,
        kube: sharedKubeClients(ctx.db, sharedClusterClients(ctx.db)),
        scopes: scopesFor(ctx.principal, "fleet.read"),
        rolloutId: input.id,
        waveIndex: input.waveIndex,
      }),
    ),

  /** Waves waiting for a decision the caller may take. */
  /** For the fleet overview: open rollouts, waves awaiting approval, drifted machines, in scope. */
  summary: authorized("fleet.read").query(({ ctx }) =>
    getChangeSummary({ db: ctx.db, scopes: scopesFor(ctx.principal, "fleet.read") }),
  ),

  pendingApprovals: authorized("rollouts.approve").query(({ ctx }) =>
    pendingApprovals({
      db: ctx.db,
      principal: ctx.principal,
      scopes: scopesFor(ctx.principal, "rollouts.approve"),
    }),
  ),

  decide: authorized("rollouts.approve")
    .input(waveDecisionSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `rollout:${input.rolloutId}`;
      ctx.audit.details = {
        wave: input.waveIndex,
        approve: input.approve,
        comment: input.comment,
        autoAdvance: input.autoAdvance,
      };
      return decideWave({
        db: ctx.db,
        principal: ctx.principal,
        scopes: scopesFor(ctx.principal, "rollouts.approve"),
        decision: input,
      });
    }),

  control: authorized("rollouts.run")
    .input(z.object({ id, control: z.enum(["pause", "resume", "abort"]) }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `rollout:${input.id}`;
      ctx.audit.details = { control: input.control };
      const result = await controlRollout({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        id: input.id,
        control: input.control,
        by: ctx.principal.username,
      });
      // A resume that accepted what the pod check found says so in the trail.
      if (result.acceptedPodCheck) ctx.audit.details = { control: input.control, acceptedPodCheck: true };
      return result;
    }),

  machine: authorized("rollouts.run")
    .input(z.object({ id, machineId: z.uuid("must be a machine id"), control: z.enum(["retry", "skip"]) }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `rollout:${input.id}`;
      ctx.audit.details = { machine: input.machineId, control: input.control };
      return machineControl({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        rolloutId: input.id,
        machineId: input.machineId,
        control: input.control,
      });
    }),

  /** Hides a finished rollout from the default list (operators, within their scope). */
  archive: authorized("rollouts.run")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `rollout:${input.id}`;
      return setRolloutArchived({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        id: input.id,
        archived: true,
        by: ctx.principal.username,
      });
    }),

  unarchive: authorized("rollouts.run")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `rollout:${input.id}`;
      return setRolloutArchived({
        db: ctx.db,
        scopes: scopesFor(ctx.principal, "rollouts.run"),
        id: input.id,
        archived: false,
        by: ctx.principal.username,
      });
    }),
});
