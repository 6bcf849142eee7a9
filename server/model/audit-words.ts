// An audit entry's action in words, for people reading the trail: "paused the rollout", "approved a wave",
// "imported Talos credentials". The raw action stays in the entry (and in exports); this is how the page
// says it. Unknown actions read as they are recorded.

type Details = Record<string, unknown> | null | undefined;

const str = (v: unknown) => (typeof v === "string" ? v : "");

const WORDS: Record<string, string | ((d: Details) => string)> = {
  "auth.login": "signed in",
  "auth.logout": "signed out",
  "auth.oidc_login": "signed in through single sign-on",
  "audit.prune": "pruned the audit trail past its retention",
  "events.follow": "followed live events",
  "logs.follow": "followed live logs",
  "user.create": "created a user",
  "auth.changePassword": "changed their password",
  "clusters.update": "edited a cluster's labels or site",
  "clusters.remove": "removed a cluster",
  "credentials.import": "imported Talos credentials",
  "credentials.replace": "replaced a Talos credential",
  "credentials.remove": "removed a Talos credential",
  "kubeReaders.import": "imported a read-only kubeconfig",
  "kubeReaders.remove": "removed a read-only kubeconfig",
  "drift.saveBaseline": "saved a baseline",
  "drift.deleteBaseline": "deleted a baseline",
  "drift.importBaselines": "imported baselines",
  "drift.acknowledge": (d) => `acknowledged drift${str(d?.field) ? ` of ${str(d?.field)}` : ""}`,
  "drift.unacknowledge": (d) => `withdrew an acknowledgement${str(d?.field) ? ` of ${str(d?.field)}` : ""}`,
  "inventory.import": "imported a fleet",
  "machines.update": "edited a machine's labels or site",
  "machines.bulkUpdate": "edited the labels or site of several machines",
  "rollouts.create": "created a rollout",
  "rollouts.change": "changed a rollout's plan",
  "rollouts.decide": (d) =>
    d?.approve === false || d?.decision === "reject" || d?.decision === "rejected"
      ? "rejected a wave"
      : "approved a wave",
  "rollouts.control": (d) => {
    switch (str(d?.control)) {
      case "pause":
        return "paused the rollout";
      case "resume":
        return d?.acceptedPodCheck
          ? "resumed the rollout, accepting what its pod check found"
          : "resumed the rollout";
      case "abort":
        return "aborted the rollout";
      default:
        return "controlled the rollout";
    }
  },
  "rollouts.machine": (d) =>
    str(d?.control) === "retry" ? "retried a machine of the rollout" : "skipped a machine of the rollout",
  "rollouts.upgradeMachine": (d) =>
    str(d?.outcome) === "done"
      ? `upgraded the machine to ${str(d?.to)}${Array.isArray(d?.approvedBy) && d.approvedBy.length ? ` (wave approved by ${d.approvedBy.join(", ")})` : ""}`
      : str(d?.outcome) === "skipped"
        ? "left the machine as it was (the rollout was aborted before its reboot)"
        : `failed to upgrade the machine to ${str(d?.to)}`,
  "rollouts.archive": "archived a rollout",
  "rollouts.unarchive": "restored an archived rollout",
  "rollouts.locks.lock": "locked machines out of rollouts",
  "rollouts.locks.unlock": "lifted a rollout lock",
  "rollouts.maintenanceWindows.add": "added a maintenance window",
  "rollouts.maintenanceWindows.update": "changed a maintenance window",
  "rollouts.maintenanceWindows.remove": "removed a maintenance window",
  "tokens.create": "created an API token",
  "tokens.revoke": "revoked an API token",
  "users.create": "created a user",
  "users.setGrants": "changed a user's roles",
  "users.resetPassword": "reset a user's password",
  "users.setDisabled": (d) => (d?.disabled === false ? "enabled a user" : "disabled a user"),
  "users.delete": "deleted a user",
  "audit.resealHead": "resealed the audit trail's head",
  "secretKey.rotate": "rotated the secret key",
};

export function actionInWords(action: string, details: Details): string {
  const w = WORDS[action];
  if (!w) return action;
  return typeof w === "string" ? w : w(details);
}
