/** @type {import('@remix-run/dev').AppConfig} */
export default {
  // The classic Remix compiler (the design card); routes are flat files in app/routes.
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // Inline Polaris's JSON translations: Node refuses a bare ESM import of a JSON file.
  serverDependenciesToBundle: [/^@shopify\/polaris\/locales\//],
  serverBuildPath: "build/index.js",
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};
