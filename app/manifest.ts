import type { MetadataRoute } from "next";

/** The web app manifest (served at /manifest.webmanifest): the name and icons a browser shows for Mosaic. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Mosaic: shared PACS administration",
    short_name: "Mosaic",
    description: "Administration of the consortium's shared PACS: trusts, users, sharing, audit and capacity.",
    start_url: "/",
    display: "standalone",
    background_color: "#f0f4f5",
    theme_color: "#005eb8",
    icons: [
      { src: "/icon.svg", sizes: "any", type: "image/svg+xml" },
      { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
    ],
  };
}
