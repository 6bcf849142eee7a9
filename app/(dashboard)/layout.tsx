// The application shell: navigation on the left, the page on the right, the demo notice on top.
import type { ReactNode } from "react";
import { DemoBanner } from "../_components/demo-banner";
import { Sidebar } from "../_components/sidebar";

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen">
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
