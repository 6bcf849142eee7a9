// The sections of Minos, in the order the navigation shows them.
import {
  Boxes,
  GitCompareArrows,
  LayoutDashboard,
  type LucideIcon,
  Rocket,
  ScrollText,
  Server,
  Settings,
} from "lucide-react";

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** One line on what the section is for, used as the page's subtitle. */
  description: string;
}

export const navItems: NavItem[] = [
  {
    href: "/fleet",
    label: "Fleet",
    icon: LayoutDashboard,
    description: "Health of the whole fleet at a glance.",
  },
  { href: "/clusters", label: "Clusters", icon: Boxes, description: "Every Talos cluster Minos manages." },
  {
    href: "/machines",
    label: "Machines",
    icon: Server,
    description: "Every machine, filterable by site, label and health.",
  },
  {
    href: "/drift",
    label: "Drift",
    icon: GitCompareArrows,
    description: "Where machines differ from what was declared.",
  },
  {
    href: "/rollouts",
    label: "Rollouts",
    icon: Rocket,
    description: "Upgrade waves, their approvals and progress.",
  },
  {
    href: "/audit",
    label: "Audit",
    icon: ScrollText,
    description: "A tamper-evident record of everything done.",
  },
  {
    href: "/settings",
    label: "Settings",
    icon: Settings,
    description: "Credentials, users and instance settings.",
  },
];

/** The navigation entry of a section, for page titles and subtitles. */
export function section(href: string): NavItem {
  const item = navItems.find((i) => i.href === href);
  if (!item) throw new Error(`no navigation entry for ${href}`);
  return item;
}
