// The Rollouts section's views: the rollouts themselves, and the sites' maintenance windows.
import { SectionTabs } from "@/app/_components/section-tabs";

const TABS = [
  { key: "rollouts", label: "Rollouts", href: "/rollouts" },
  { key: "windows", label: "Maintenance windows", href: "/rollouts/maintenance-windows" },
] as const;

export function RolloutsTabs({ current }: { current: (typeof TABS)[number]["key"] }) {
  return <SectionTabs label="Rollout views" tabs={TABS} current={current} />;
}
