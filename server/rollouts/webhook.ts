// Announcements of a rollout (approval needed, wave finished, paused, completed, aborted) as
// Slack-compatible JSON ({"text": …}) to MINOS_ROLLOUT_WEBHOOK_URL. Failures are logged, never fatal.
import type { Logger } from "pino";

export type Notifier = (text: string) => void;

export function webhookNotifier(url: string | undefined, log: Logger): Notifier | undefined {
  if (!url) return undefined;
  return (text) => {
    void fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(10_000),
    })
      .then((res) => {
        if (!res.ok) log.warn({ status: res.status }, "rollout webhook refused the announcement");
      })
      .catch((err) => log.warn({ err }, "rollout webhook unreachable"));
  };
}
