import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    environment: "node",
    testTimeout: 30_000,
    // The process-wide logger stays quiet in tests; tests that check logs capture their own.
    env: { LOG_LEVEL: "silent" },
    hookTimeout: 60_000,
  },
});
