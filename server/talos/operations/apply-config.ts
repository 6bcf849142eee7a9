// Applies a machine configuration to a node (MachineService.ApplyConfiguration), optionally as a dry run.
import {
  ApplyConfigurationRequest_Mode,
  applyConfigurationRequest_ModeToJSON,
  MachineServiceService,
} from "@/proto/generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { callNode, unaryOperation } from "../operation";

export type ApplyMode = "auto" | "no-reboot" | "staged" | "try";

const MODES: Record<ApplyMode, ApplyConfigurationRequest_Mode> = {
  auto: ApplyConfigurationRequest_Mode.AUTO,
  "no-reboot": ApplyConfigurationRequest_Mode.NO_REBOOT,
  staged: ApplyConfigurationRequest_Mode.STAGED,
  try: ApplyConfigurationRequest_Mode.TRY,
};

export interface ApplyResult {
  /** The mode Talos actually used, e.g. NO_REBOOT or REBOOT. */
  mode: string;
  /** Talos's explanation (for a dry run: the diff it would apply). */
  details: string;
  warnings: string[];
}

type ApplyOptions = { config: string; mode?: ApplyMode; dryRun?: boolean };

export const APPLY_CONFIGURATION_OP = unaryOperation({
  def: MachineServiceService.applyConfiguration,
  spec: (o: ApplyOptions) => ({
    operation: o.dryRun ? "Checking a configuration change" : "Applying the configuration",
  }),
  request: (o: ApplyOptions) => ({
    data: Buffer.from(o.config, "utf8"),
    mode: MODES[o.mode ?? "auto"],
    dryRun: o.dryRun ?? false,
    tryModeTimeout: undefined,
  }),
  result: (m): ApplyResult => ({
    mode: applyConfigurationRequest_ModeToJSON(m.mode),
    details: m.modeDetails,
    warnings: m.warnings,
  }),
});

/** Admin only. `mode` defaults to auto (Talos reboots only when the change needs it). */
export function applyConfiguration(
  caller: NodeCaller,
  opts: CallTarget & ApplyOptions,
): Promise<ApplyResult> {
  return callNode(caller, APPLY_CONFIGURATION_OP, opts);
}
