import { expect, test } from "@playwright/test";
import { merchantCookies } from "../support/shopify-auth";
import { expectNoCspViolations } from "./csp-violations";

expectNoCspViolations();

const GOOD_KEY = "smtgw_sk_test_E2eGoodKey4242";

test.beforeEach(async ({ context }) => {
  const url = new URL(process.env.E2E_APP_URL!);
  // The signed session cookie OAuth leaves in a merchant's browser.
  await context.addCookies(merchantCookies(process.env.E2E_SHOP!, process.env.E2E_API_SECRET!).map((c) => ({ ...c, domain: url.hostname, path: "/" })));
});

test("a merchant enters a bad key, sees the error, saves a good one and sees it masked after reload", async ({ page }) => {
  const response = await page.goto("/app");
  // The merchant pages' policy: our scripts, Remix's inline ones by this response's nonce, never framed.
  const policy = response!.headers()["content-security-policy"]!;
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(policy).toContain("frame-ancestors 'none'");
  await expect(page.getByRole("heading", { name: "Accelebit settings" })).toBeVisible();

  const testKey = page.getByLabel("Test secret key");
  await testKey.fill("sk_live_not_an_accelebit_key");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Enter an Accelebit test secret key: it starts with smtgw_sk_test_.")).toBeVisible();

  await testKey.fill("smtgw_sk_test_RevokedKey987654");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Accelebit did not accept this test key (UNAUTHORIZED).", { exact: false })).toBeVisible();

  await testKey.fill(GOOD_KEY);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Settings saved")).toBeVisible();
  await expect(page.getByRole("link", { name: "Return to Shopify to activate Accelebit" })).toHaveAttribute(
    "href",
    `https://${process.env.E2E_SHOP}/services/payments_partners/gateways/test-client-id/settings`,
  );

  await page.reload();
  await expect(page.getByText("Saved key ending in 4242. Leave blank to keep it.")).toBeVisible();
  await expect(page.getByLabel("Test secret key")).toHaveValue("");
  expect(await page.content()).not.toContain(GOOD_KEY);
  await page.screenshot({ path: "test-results/setup-page.png", fullPage: true });

  // Shopify was told the provider is ready, with the masked key as the account handle.
  const configuration = await fetch(`${process.env.E2E_SHOPIFY_SIMULATOR_URL}/__sim/configurations/${process.env.E2E_SHOP}`);
  expect(await configuration.json()).toEqual({ externalHandle: "Accelebit test ••••4242", ready: true });
});

test("without a session the merchant is sent to the login form", async ({ page, context }) => {
  await context.clearCookies();
  await page.goto("/app");
  await expect(page).toHaveURL(/\/auth\/login$/);
  await expect(page.getByLabel("Shop domain")).toBeVisible();
  await page.getByLabel("Shop domain").fill("not a shop");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Enter a valid shop domain, such as example.myshopify.com.")).toBeVisible();
});
