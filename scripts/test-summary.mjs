// Prints one plain closing line for the whole suite ("N passed, N failed"), summed from the
// JSON reports Vitest and Playwright wrote in .tmp/reports/ during scripts/test-all.sh.
import { readdirSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(".tmp/reports").filter((f) => f.endsWith(".json"))) {
  const report = JSON.parse(readFileSync(`.tmp/reports/${file}`, "utf8"));
  if (file.startsWith("vitest-")) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  } else if (file.startsWith("playwright-")) {
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
