// Applies a machine configuration to a node (MachineService.ApplyConfiguration), optionally as a dry run.
import {
  ApplyConfigurationRequest_Mode,
  applyConfigurationRequest_ModeToJSON,
  MachineServiceService,
} from "../generated/machine/machine";
import type { CallTarget, NodeCaller } from "../node-call";
import { singleMessage } from "../replies";

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

/** Admin only. `mode` defaults to auto (Talos reboots only when the change needs it). */
export async function applyConfiguration(
  caller: NodeCaller,
  opts: CallTarget & { config: string; mode?: ApplyMode; dryRun?: boolean },
): Promise<ApplyResult> {
  const def = MachineServiceService.applyConfiguration;
  const spec = { operation: opts.dryRun ? "Checking a configuration change" : "Applying the configuration" };
  const request = {
    data: Buffer.from(opts.config, "utf8"),
    mode: MODES[opts.mode ?? "auto"],
    dryRun: opts.dryRun ?? false,
    tryModeTimeout: undefined,
  };
  const m = singleMessage(caller, def, spec, await caller.unary(def, request, spec, opts), opts.node);
  return { mode: applyConfigurationRequest_ModeToJSON(m.mode), details: m.modeDetails, warnings: m.warnings };
}
