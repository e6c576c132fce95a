import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests: the built app (npm run build) as a real process, both simulators,
 * and Debian's Chromium (Playwright's own browser download is not reachable here).
 */
export default defineConfig({
  testDir: "test/e2e",
  globalSetup: "./test/e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: process.env.E2E_APP_URL,
    trace: "off",
    screenshot: "only-on-failure",
    // shopifyApp answers 410 to bots, and "HeadlessChrome" counts as one: present the
    // user agent of the same Chromium running with a window.
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
