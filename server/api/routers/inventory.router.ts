// Adding fleets to the inventory, and what the instance runs (the demo banner).
import { z } from "zod";
import { isDemoFleet } from "../../features/demo/demo-fleet";
import { importFleet } from "../../features/inventory/import-fleet";
import { router } from "../trpc/init";
import { authorized } from "../trpc/procedures";

export const inventoryRouter = router({
  /** Each context of the talosconfig becomes a cluster; its machines are discovered at once. */
  import: authorized("admin.manage")
    .input(
      z.object({
        talosconfig: z
          .string()
          .min(1, "must not be empty")
          .max(512 * 1024, "must be at most 512 KiB"),
        site: z
          .string()
          .trim()
          .regex(
            /^([a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*)?$/,
            "must be a path such as eu/dk/aarhus-0042",
          )
          .default(""),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = "talosconfig";
      const imported = await importFleet(ctx.db, {
        talosconfig: input.talosconfig,
        site: input.site,
      });
      ctx.audit.details = { clusters: imported };
      return imported;
    }),

  status: authorized("fleet.read").query(() => ({ demoFleet: isDemoFleet() })),
});
