import type { Metadata, Viewport } from "next";
import "./globals.css";

const appName = process.env.APP_NAME ?? "Auth";

export const metadata: Metadata = {
  title: { default: appName, template: `%s · ${appName}` },
  description: `Sign in to ${appName}`,
  icons: { icon: [{ url: "/icon.svg", type: "image/svg+xml" }, { url: "/favicon.ico", sizes: "any" }] },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">{children}</body>
    </html>
  );
}
