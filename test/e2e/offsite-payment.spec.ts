import { expect, test, type Page } from "@playwright/test";
import { expectNoCspViolations } from "./csp-violations";

expectNoCspViolations();

/**
 * A shopper pays at the simulated Shopify checkout through the app's card page, against the
 * built app and both simulators. Each test ends with the exact mutation Shopify received and
 * the shopper on the right Shopify page.
 */
const SIM = () => process.env.E2E_SHOPIFY_SIMULATOR_URL!;
const SANDBOX = () => process.env.E2E_SANDBOX_URL!;
/** Where the sandbox's 3-D Secure challenge pages are: another origin than the API (global-setup.ts). */
const BANK = () => process.env.E2E_BANK_URL!;
const CARDS = {
  captured: "4242 4242 4242 4242",
  declined: "4000 0000 0000 0002",
  threeDsGet: "4000 0000 0000 3220",
  threeDsPost: "4000 0000 0000 3063",
};

interface Mutation {
  field: string;
  sessionGid: string | null;
  effect: string;
  variables: Record<string, unknown>;
}

async function mutationsFor(paymentSessionId: string): Promise<Mutation[]> {
  const { mutations } = (await (await fetch(`${SIM()}/__sim/mutations`)).json()) as { mutations: Mutation[] };
  return mutations.filter((m) => m.sessionGid === `gid://shopify/PaymentSession/${paymentSessionId}` && m.effect === "applied");
}

async function chargesAtSandbox(): Promise<{ payments: number; byStatus: Record<string, number> }> {
  const res = await fetch(`${SANDBOX()}/__sandbox/stats`, { headers: { "X-API-Key": process.env.E2E_PAY_KEY! } });
  return ((await res.json()) as { data: { payments: number; byStatus: Record<string, number> } }).data;
}

async function startCheckout(page: Page, amount: string) {
  await page.goto(`${SIM()}/__sim/store/${process.env.E2E_PAY_SHOP}`);
  await page.getByLabel("Amount").fill(amount);
  await page.getByRole("button", { name: "Pay with Accelebit" }).click();
  await expect(page.getByLabel("Card number")).toBeVisible();
  await expect(page.getByTestId("amount")).toHaveText(`€${amount}`);
}

async function payWith(page: Page, number: string, { submit = true } = {}) {
  await page.getByLabel("Name on card").fill("Alice Smith");
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiration date (MM/YY)").fill("12/39");
  await page.getByLabel("Security code").fill("123");
  if (submit) await page.getByRole("button", { name: /^Pay / }).click();
}

async function expectThankYou(page: Page): Promise<string> {
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  return (await page.getByTestId("payment-session-id").textContent())!.trim();
}

test("a captured payment: resolved once, the shopper sees the order confirmation", async ({ page }) => {
  const before = await chargesAtSandbox();
  await startCheckout(page, "49.99");
  await payWith(page, CARDS.captured);
  const id = await expectThankYou(page);
  expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
  expect((await chargesAtSandbox()).byStatus.captured).toBe(before.byStatus.captured! + 1);
});

for (const variant of ["GET", "POST"] as const) {
  test(`3-D Secure approved (${variant} redirect): the shopper passes the challenge and the session resolves`, async ({ page }) => {
    await startCheckout(page, variant === "GET" ? "61.00" : "62.00");
    await payWith(page, variant === "GET" ? CARDS.threeDsGet : CARDS.threeDsPost);
    await expect(page).toHaveURL(new RegExp(`^${BANK()}/3ds/challenge`));
    await page.getByRole("button", { name: "Approve" }).click();
    const id = await expectThankYou(page);
    expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
  });
}

test("3-D Secure failed, then a good card: the shopper retries and the session resolves", async ({ page }) => {
  await startCheckout(page, "63.00");
  await payWith(page, CARDS.threeDsGet);
  await page.getByRole("button", { name: "Fail" }).click();
  await expect(page.getByRole("alert")).toHaveText("Your bank could not confirm this payment. Try again or use another card.");
  await payWith(page, CARDS.captured);
  const id = await expectThankYou(page);
  expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
});

test("declined, then a good card: an honest message, then success", async ({ page }) => {
  await startCheckout(page, "64.00");
  await payWith(page, CARDS.declined);
  await expect(page.getByRole("alert")).toHaveText("Your card was declined. Try another card or contact your bank.");
  await payWith(page, CARDS.captured);
  const id = await expectThankYou(page);
  expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
});

test("cancel returns to checkout without rejecting the session", async ({ page }) => {
  await startCheckout(page, "65.00");
  const cancel = page.getByRole("link", { name: "Cancel and return to checkout" });
  const href = (await cancel.getAttribute("href"))!;
  await cancel.click();
  await expect(page.getByText("Payment cancelled. Choose a payment method.")).toBeVisible();
  const id = new URL(href).pathname.split("/").pop()!;
  expect(await mutationsFor(id)).toEqual([]);
});

test("a double-clicked Pay button charges once", async ({ page }) => {
  const before = await chargesAtSandbox();
  await startCheckout(page, "66.00");
  await payWith(page, CARDS.captured, { submit: false });
  await page.getByRole("button", { name: /^Pay / }).dblclick();
  const id = await expectThankYou(page);
  expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
  expect((await chargesAtSandbox()).payments).toBe(before.payments + 1);
});

test("client-side checks announce problems before anything is sent", async ({ page }) => {
  const before = await chargesAtSandbox();
  await startCheckout(page, "67.00");
  await page.getByLabel("Card number").fill("4242 4242 4242 4241");
  await page.getByLabel("Expiration date (MM/YY)").fill("01/20");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.locator("#form-status")).toHaveText("Please correct the highlighted fields.");
  await expect(page.getByText("This card number is not valid. Check it and try again.")).toBeVisible();
  await expect(page.getByText("This card has expired.")).toBeVisible();
  await expect(page.getByLabel("Card number")).toHaveAttribute("aria-invalid", "true");
  expect((await chargesAtSandbox()).payments).toBe(before.payments);
});
