// The application shell: navigation on the left, the page on the right, the demo notice on top, and
// the tab's one subscription to fleet changes (live views refetch when the fleet changes).
import type { ReactNode } from "react";
import { DemoBanner } from "../_components/demo-banner";
import { FleetChanges } from "../_components/fleet-changes";
import { Sidebar } from "../_components/sidebar";

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen">
      <FleetChanges />
      <Sidebar />
      <div className="flex min-w-0 flex-1 flex-col">
        <DemoBanner />
        <main className="min-w-0 flex-1 px-8 py-8">
          <div className="mx-auto max-w-6xl">{children}</div>
        </main>
      </div>
    </div>
  );
}
