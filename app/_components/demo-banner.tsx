"use client";
// Says plainly when the fleet on screen is the bundled simulator's, not real machines.
import { useQuery } from "@tanstack/react-query";
import { FlaskConical } from "lucide-react";
import { useTRPC } from "./trpc";
import { useMe } from "./use-me";

export function DemoBanner() {
  const trpc = useTRPC();
  const { may } = useMe();
  const status = useQuery({
    ...trpc.inventory.status.queryOptions(),
    enabled: may("fleet.read"),
    staleTime: 60_000,
  });
  if (!status.data?.demoFleet) return null;
  return (
    <div
      role="note"
      className="flex items-center gap-2 border-b border-amber-300 bg-amber-50 px-8 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
    >
      <FlaskConical aria-hidden className="size-4 shrink-0" />
      <span>
        <strong className="font-semibold">Simulated demo fleet.</strong> These clusters run in the bundled
        Talos simulator, not on real machines. Add your own fleet under Import; start with MINOS_DEMO=0 to
        turn the demo off.
      </span>
    </div>
  );
}
