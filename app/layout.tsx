// The document: theme, data providers and the global styles.
import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { Providers } from "./_components/providers";

export const metadata: Metadata = {
  title: { default: "Minos", template: "%s · Minos" },
  description: "Control plane dashboard for fleets of Talos Linux clusters",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
