"use client";
// The Drift tab of a machine's page.
import { MachineDrift } from "../../../drift/machines/[id]/machine-drift";
import { MachineFrame } from "../machine-frame";

export function MachineDriftTab({ id }: { id: string }) {
  return (
    <MachineFrame id={id} tab="drift">
      {(m) => <MachineDrift id={m.id} />}
    </MachineFrame>
  );
}
