import { expect, test, type Page } from "@playwright/test";
import { expectNoCspViolations } from "./csp-violations";

expectNoCspViolations();

/**
 * A shopper pays with Accrue at the simulated Shopify checkout: our page loads the Accrue
 * sandbox's stand-in widget (its own origin, allowed by the page's CSP), the shopper signs in
 * by phone and pays in the widget's frame, our page posts the intent's id, and the app reads,
 * authorizes and captures it. Each test ends with the exact mutation Shopify received and the
 * money as the Accrue sandbox holds it.
 */
const SIM = () => process.env.E2E_SHOPIFY_SIMULATOR_URL!;
const ACCRUE = () => process.env.E2E_ACCRUE_URL!;
const PHONES = { approved: "+12125550100", insufficientFunds: "+12125550101", declined: "+12125550102" };

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

interface AccruePaymentState {
  id: string;
  attributes: { status: string; amount: number };
  authorizedAmount: number;
  capturedAmount: number | null;
}

async function accruePayments(): Promise<AccruePaymentState[]> {
  const res = await fetch(`${ACCRUE()}/__sandbox/state?clientId=${process.env.E2E_ACCRUE_CLIENT_ID}`);
  return ((await res.json()) as { data: { payments: AccruePaymentState[] } }).data.payments;
}

async function startCheckout(page: Page, amount: string, kind: "sale" | "authorization" = "sale") {
  await page.goto(`${SIM()}/__sim/store/${process.env.E2E_PAY_SHOP}`);
  await page.getByLabel("Amount").fill(amount);
  await page.getByLabel("Currency").fill("USD");
  await page.getByLabel("Kind").selectOption(kind);
  await page.getByRole("button", { name: "Pay with Accrue" }).click();
  await expect(page.getByRole("heading", { name: "Pay with Accrue" }).first()).toBeVisible();
  await expect(page.getByTestId("amount")).toHaveText(`$${amount}`);
}

/** The shopper signs in to the widget with a phone number and pays. */
async function payInWidget(page: Page, phone: string) {
  const widget = page.frameLocator('iframe[title="Accrue Pay"]');
  await widget.getByLabel("Phone number").fill(phone);
  await widget.getByRole("button", { name: "Sign in" }).click();
  await widget.getByRole("button", { name: /^Pay \$/ }).click();
}

async function expectThankYou(page: Page): Promise<string> {
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  return (await page.getByTestId("payment-session-id").textContent())!.trim();
}

test("declined first, then paid from the wallet: one authorize and one capture of the exact amount, resolved once", async ({ page }) => {
  const before = await accruePayments();
  await startCheckout(page, "42.50");
  await payInWidget(page, PHONES.declined);
  await expect(page.locator("#form-status")).toHaveText("Your wallet could not pay this amount. Try again or choose another way to pay.");
  await payInWidget(page, PHONES.approved);
  const id = await expectThankYou(page);
  expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
  const made = (await accruePayments()).filter((p) => !before.some((b) => b.id === p.id));
  expect(made).toHaveLength(1);
  expect(made[0]).toMatchObject({ authorizedAmount: 4250, capturedAmount: 4250 });
});

test("an authorization: held in the wallet, not captured, resolved", async ({ page }) => {
  const before = await accruePayments();
  await startCheckout(page, "12.00", "authorization");
  await payInWidget(page, PHONES.approved);
  const id = await expectThankYou(page);
  expect((await mutationsFor(id)).map((m) => m.field)).toEqual(["paymentSessionResolve"]);
  const made = (await accruePayments()).filter((p) => !before.some((b) => b.id === p.id));
  expect(made).toEqual([expect.objectContaining({ authorizedAmount: 1200, capturedAmount: null })]);
});

test("cancel returns to checkout without rejecting the session", async ({ page }) => {
  await startCheckout(page, "13.00");
  const cancel = page.getByRole("link", { name: "Cancel and return to checkout" });
  const href = (await cancel.getAttribute("href"))!;
  await cancel.click();
  await expect(page.getByText("Payment cancelled. Choose a payment method.")).toBeVisible();
  const id = new URL(href).pathname.split("/").pop()!;
  expect(await mutationsFor(id)).toEqual([]);
});
