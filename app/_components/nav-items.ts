// The sections of Minos, in the order the navigation shows them.
import {
  Activity,
  Boxes,
  GitCompareArrows,
  LayoutDashboard,
  Logs,
  type LucideIcon,
  Rocket,
  ScrollText,
  Server,
  Settings,
  Upload,
} from "lucide-react";

import type { Permission } from "@/server/model/permissions";

export interface NavItem {
  /** Shown only to those holding this permission. */
  permission: Permission;
  href: string;
  label: string;
  icon: LucideIcon;
  /** One line on what the section is for, used as the page's subtitle. */
  description: string;
}

export const navItems: NavItem[] = [
  {
    permission: "fleet.read",
    href: "/fleet",
    label: "Fleet",
    icon: LayoutDashboard,
    description: "Health of the whole fleet at a glance.",
  },
  {
    permission: "fleet.read",
    href: "/clusters",
    label: "Clusters",
    icon: Boxes,
    description: "Every Talos cluster Minos manages.",
  },
  {
    permission: "fleet.read",
    href: "/machines",
    label: "Machines",
    icon: Server,
    description: "Every machine, filterable by site, label and health.",
  },
  {
    permission: "fleet.read",
    href: "/events",
    label: "Events",
    icon: Activity,
    description: "What machines reported: services, boots, upgrades, readiness — searchable.",
  },
  {
    permission: "machines.stream",
    href: "/logs",
    label: "Logs",
    icon: Logs,
    description: "Live logs of machines, several merged in one view.",
  },

  {
    permission: "fleet.read",
    href: "/drift",
    label: "Drift",
    icon: GitCompareArrows,
    description: "Where machines differ from what was declared.",
  },
  {
    permission: "fleet.read",
    href: "/rollouts",
    label: "Rollouts",
    icon: Rocket,
    description: "Upgrade waves, their approvals and progress.",
  },
  {
    permission: "audit.read",
    href: "/audit",
    label: "Audit",
    icon: ScrollText,
    description: "A tamper-evident record of everything done.",
  },
  {
    permission: "admin.manage",
    href: "/import",
    label: "Import",
    icon: Upload,
    description: "Add a fleet from a talosconfig.",
  },
  {
    permission: "account.self",
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
