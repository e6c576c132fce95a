import { expect, test, type Page } from "@playwright/test";

/**
 * Fails the file's tests on any Content-Security-Policy violation Chromium reports (it logs
 * "Refused to …" errors on the console): a policy that blocks part of our own page is a bug.
 */
export function expectNoCspViolations() {
  let violations: string[] = [];
  const watch = (page: Page) =>
    page.on("console", (message) => {
      if (message.type() === "error" && message.text().includes("Content Security Policy")) violations.push(message.text());
    });
  test.beforeEach(({ page }) => {
    violations = [];
    watch(page);
  });
  test.afterEach(() => {
    expect(violations).toEqual([]);
  });
}
