// The Drift section's two views.
import { SectionTabs } from "@/app/_components/section-tabs";

const TABS = [
  { key: "overview", label: "Overview", href: "/drift" },
  { key: "baselines", label: "Baselines", href: "/drift/baselines" },
] as const;

export function DriftTabs({ current }: { current: (typeof TABS)[number]["key"] }) {
  return <SectionTabs label="Drift views" tabs={TABS} current={current} />;
}
