"use client";
// The Events tab of a machine's page.
import { Suspense } from "react";
import { LiveTimeline } from "../../../events/live-timeline";
import { MachineFrame } from "../machine-frame";

export function MachineEvents({ id }: { id: string }) {
  return (
    <MachineFrame id={id} tab="events">
      {(m) => (
        <Suspense>
          <LiveTimeline target={{ machineId: m.id }} />
        </Suspense>
      )}
    </MachineFrame>
  );
}
