import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { merchantCookies } from "../support/shopify-auth";
import { expectNoCspViolations } from "./csp-violations";

expectNoCspViolations();

/**
 * The merchant's transactions pages in Chromium, against the built app: a shopper pays at the
 * simulated checkout of E2E_PAY_SHOP, then that shop's merchant finds the payment in the
 * list, opens its timeline, filters, searches by the Accelebit id and exports the CSV.
 */
const SIM = () => process.env.E2E_SHOPIFY_SIMULATOR_URL!;
const PAN = "4242 4242 4242 4242";
// A security code that no amount, date or id on these pages contains as a number of its own.
const CVC = "914";
const AMOUNT = "73.45";

async function shopperPays(page: Page, amount: string): Promise<string> {
  await page.goto(`${SIM()}/__sim/store/${process.env.E2E_PAY_SHOP}`);
  await page.getByLabel("Amount").fill(amount);
  await page.getByRole("button", { name: "Pay with Accelebit" }).click();
  await page.getByLabel("Name on card").fill("Alice Smith");
  await page.getByLabel("Card number").fill(PAN);
  await page.getByLabel("Expiration date (MM/YY)").fill("12/39");
  await page.getByLabel("Security code").fill(CVC);
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  return (await page.getByTestId("payment-session-id").textContent())!.trim();
}

function expectNoCardData(text: string) {
  expect(text).not.toContain(PAN);
  expect(text).not.toContain(PAN.replace(/ /g, ""));
  expect(text).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${CVC}(?![0-9A-Za-z])`));
}

test.beforeEach(async ({ context }) => {
  const url = new URL(process.env.E2E_APP_URL!);
  // Signed in as the merchant of the shop where the shopper pays.
  await context.addCookies(merchantCookies(process.env.E2E_PAY_SHOP!, process.env.E2E_API_SECRET!).map((c) => ({ ...c, domain: url.hostname, path: "/" })));
});

test("the merchant finds a new payment, reads its timeline, filters, searches by Accelebit id and exports it", async ({ page }) => {
  const shopifyId = await shopperPays(page, AMOUNT);

  // The setup page links to the transactions.
  await page.goto("/app");
  await page.getByRole("link", { name: "Transactions" }).click();
  await expect(page.getByRole("heading", { name: "Transactions" })).toBeVisible();

  const row = page.getByRole("row").filter({ hasText: shopifyId });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`${AMOUNT} EUR`);
  await expect(row).toContainText("Resolved");
  await expect(row).toContainText("Test");

  // The timeline, from a click on the row.
  await row.getByRole("link", { name: shopifyId }).click();
  await expect(page).toHaveURL(/\/app\/transactions\/[a-z0-9]+$/);
  await expect(page.getByRole("heading", { name: shopifyId })).toBeVisible();
  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline.getByRole("listitem")).toHaveText([
    new RegExp(`Shopify sent a test sale of ${AMOUNT} EUR`),
    /Attempt 1: visa •••• 4242/,
    /Attempt 1: Accelebit reports captured/,
    /Decided to resolve: Accelebit confirmed the payment/,
    /paymentSessionResolve → Shopify: RESOLVED/,
  ]);
  await expect(page.getByRole("table")).toContainText("visa •••• 4242");
  await expect(page.getByTestId("gateway")).toHaveText("Accelebit");
  // The payment card's label (the attempts table's heading says it too).
  await expect(page.getByText("Accelebit payment ID", { exact: true }).first()).toBeVisible();
  const accelebitId = (await page.getByTestId("gateway-payment-id").textContent())!.trim();
  expect(accelebitId).toMatch(/^[0-9a-f-]{36}$/);
  expectNoCardData(await page.content());
  await page.screenshot({ path: "test-results/transaction-detail.png", fullPage: true });

  // Back to the list; filter by status.
  await page.getByRole("link", { name: "Transactions" }).click();
  await expect(page.getByRole("heading", { name: "Transactions" })).toBeVisible();
  await page.getByRole("button", { name: "Status" }).click();
  // Controlled checkboxes follow the URL: click, then wait for the state (check() would not wait).
  const rejected = page.getByRole("checkbox", { name: "Rejected" });
  await rejected.click();
  await expect(page).toHaveURL(/status=rejected/);
  await expect(rejected).toBeChecked();
  await expect(page.getByRole("row").filter({ hasText: shopifyId })).toHaveCount(0);
  await rejected.click();
  await expect(rejected).not.toBeChecked();
  await page.getByRole("checkbox", { name: "Resolved" }).click();
  await expect(page).toHaveURL(/\?status=resolved$/);
  await expect(page.getByRole("row").filter({ hasText: shopifyId })).toHaveCount(1);
  // Close the filter's popover (Escape would cancel the filtering altogether).
  await page.getByRole("heading", { name: "Transactions" }).click();
  await expect(page.getByRole("checkbox", { name: "Resolved" })).toBeHidden();

  // Search by the Accelebit id: that payment alone.
  await page.getByPlaceholder("Search by Shopify payment ID, gateway ID or checkout group").fill(accelebitId);
  await expect(page).toHaveURL(new RegExp(`q=${accelebitId}`));
  await expect(page.locator("tbody").getByRole("row")).toHaveCount(1);
  await expect(page.locator("tbody").getByRole("row")).toContainText(shopifyId);
  await expect(page.locator("tbody").getByRole("row")).toContainText("Accelebit");
  await page.screenshot({ path: "test-results/transactions.png", fullPage: true });

  // Export what is shown.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^transactions-e2e-pay-shop-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  const [header, ...lines] = csv.trim().split("\r\n");
  expect(header).toBe(
    "created_at,shopify_payment_id,group,kind,amount,currency,mode,status,status_label,refunded,captured,notes,gateway,gateway_payment_id,provider,id",
  );
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[^,]+Z,${shopifyId},[^,]+,sale,${AMOUNT},EUR,test,resolved,Resolved,,,,accelebit,${accelebitId},`),
  );
  expectNoCardData(csv);
});

test("another shop's transaction is not found", async ({ page, context }) => {
  await page.goto("/app/transactions");
  const href = await page.locator("tbody").getByRole("link").first().getAttribute("href");
  expect(href).toMatch(/^\/app\/transactions\/[a-z0-9]+$/);
  // The same browser, signed in to the other shop.
  await context.clearCookies();
  const url = new URL(process.env.E2E_APP_URL!);
  await context.addCookies(merchantCookies(process.env.E2E_SHOP!, process.env.E2E_API_SECRET!).map((c) => ({ ...c, domain: url.hostname, path: "/" })));
  const res = await page.goto(href!);
  expect(res!.status()).toBe(404);
  await page.goto("/app/transactions");
  await expect(page.getByRole("heading", { name: "Transactions" })).toBeVisible();
  await expect(page.locator(`a[href="${href}"]`)).toHaveCount(0);
});
