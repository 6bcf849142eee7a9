// Kubernetes label selectors (metav1.LabelSelector) as the API server applies them
// (k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector): every matchLabels pair and
// every matchExpressions requirement must hold; an empty selector matches everything, a missing one nothing.
import type { V1LabelSelector } from "@kubernetes/client-node";

export function selectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(value as string)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
