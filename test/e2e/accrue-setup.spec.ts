import { expect, test } from "@playwright/test";
import { DEMO_MERCHANT } from "../simulators/accrue/demo-merchant";
import { merchantCookies } from "../support/shopify-auth";
import { expectNoCspViolations } from "./csp-violations";

expectNoCspViolations();

const sandbox = (path: string, init?: RequestInit) => fetch(`${process.env.E2E_ACCRUE_SANDBOX_URL}/__sandbox${path}`, init).then((r) => r.json());

test.beforeEach(async ({ context }) => {
  const url = new URL(process.env.E2E_APP_URL!);
  await context.addCookies(merchantCookies(process.env.E2E_ACCRUE_SHOP!, process.env.E2E_API_SECRET!).map((c) => ({ ...c, domain: url.hostname, path: "/" })));
});

test("a merchant connects Accrue: a refused secret on its field, then the right one; the webhook is registered and Accrue's deliveries reach the app", async ({
  page,
}) => {
  await page.goto("/app");
  await expect(page.getByText("Accrue: sandbox not connected, live not connected")).toBeVisible();

  await page.getByLabel("Sandbox Client ID").fill(DEMO_MERCHANT.clientId);
  await page.getByLabel("Sandbox Client Secret").fill("f".repeat(64));
  await page.getByRole("button", { name: "Connect Accrue" }).click();
  await expect(
    page.getByText("Accrue's sandbox environment did not accept this Client ID and Client Secret (401 Unauthorized).", { exact: false }),
  ).toBeVisible();

  await page.getByLabel("Sandbox Client Secret").fill(DEMO_MERCHANT.clientSecret);
  await page.getByRole("button", { name: "Connect Accrue" }).click();
  await expect(page.getByText("Accrue credentials saved")).toBeVisible();
  await expect(page.getByRole("link", { name: "Return to Shopify to activate Accrue" })).toBeVisible();

  await page.reload();
  await expect(page.getByText(`Saved secret ending in ${DEMO_MERCHANT.clientSecret.slice(-4)}. Leave blank to keep it.`)).toBeVisible();
  await expect(page.getByLabel("Sandbox Client ID")).toHaveValue(DEMO_MERCHANT.clientId);
  await expect(page.getByLabel("Sandbox Client Secret")).toHaveValue("");
  await expect(page.getByText("Accrue: sandbox ready, live not connected")).toBeVisible();
  expect(await page.content()).not.toContain(DEMO_MERCHANT.clientSecret);

  // Shopify's view: ready, named by the Client ID's end.
  const configuration = await fetch(`${process.env.E2E_SHOPIFY_SIMULATOR_URL}/__sim/configurations/${process.env.E2E_ACCRUE_SHOP}`);
  expect(await configuration.json()).toEqual({ externalHandle: `Accrue sandbox ••••${DEMO_MERCHANT.clientId.slice(-4)}`, ready: true });

  // Accrue holds our webhook for the six topics; an event it sends is verified and accepted by the app.
  const state = (await sandbox(`/state?clientId=${DEMO_MERCHANT.clientId}`)) as { data: { webhooks: { url: string; topics: string[] }[] } };
  expect(state.data.webhooks).toHaveLength(1);
  expect(state.data.webhooks[0]!.url).toMatch(new RegExp(`^${process.env.E2E_APP_URL}/webhooks/accrue/[A-Za-z0-9_-]{24}$`));
  expect(state.data.webhooks[0]!.topics).toHaveLength(6);
  await sandbox("/payment-intents", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ clientId: DEMO_MERCHANT.clientId, phoneNumber: "+12125550100", amount: 1999, reference: null }),
  });
  await expect
    .poll(async () => {
      const deliveries = (await sandbox("/webhooks/deliveries")) as { data: { topic: string; state: string; attempts: { status: number | null }[] }[] };
      return deliveries.data.filter((d) => d.topic === "PaymentIntentCreated").map((d) => [d.state, d.attempts.at(-1)?.status]);
    })
    .toEqual([["delivered", 200]]);
});

// Runs after the test above (one worker, in file order): the shop is connected to Accrue.
test("then a shopper pays with Accrue at that shop, and the merchant finds the payment by its Accrue id", async ({ page }) => {
  await page.goto(`${process.env.E2E_SHOPIFY_SIMULATOR_URL}/__sim/store/${process.env.E2E_ACCRUE_SHOP}`);
  await page.getByLabel("Amount").fill("27.30");
  await page.getByLabel("Currency").fill("USD");
  await page.getByRole("button", { name: "Pay with Accrue" }).click();
  const widget = page.frameLocator('iframe[title="Accrue Pay"]');
  await widget.getByLabel("Phone number").fill("+12125550100");
  await widget.getByRole("button", { name: "Sign in" }).click();
  await widget.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  const shopifyId = (await page.getByTestId("payment-session-id").textContent())!.trim();

  const state = (await sandbox(`/state?clientId=${DEMO_MERCHANT.clientId}`)) as { data: { payments: { id: string; capturedAmount: number | null }[] } };
  const captured = state.data.payments.filter((p) => p.capturedAmount === 2730);
  expect(captured).toHaveLength(1);
  const accrueId = captured[0]!.id;

  await page.goto("/app/transactions");
  const row = page.getByRole("row").filter({ hasText: shopifyId });
  await expect(row).toContainText("27.30 USD");
  await expect(row).toContainText("Accrue");
  await expect(row).toContainText("Resolved");
  await page.getByPlaceholder("Search by Shopify payment ID, gateway ID or checkout group").fill(accrueId);
  await expect(page).toHaveURL(new RegExp(`q=${accrueId}`));
  await expect(page.locator("tbody").getByRole("row")).toHaveCount(1);
  await expect(page.locator("tbody").getByRole("row")).toContainText(shopifyId);
  await page.locator("tbody").getByRole("link", { name: shopifyId }).click();
  await expect(page.getByTestId("gateway")).toHaveText("Accrue");
  await expect(page.getByTestId("gateway-payment-id")).toHaveText(accrueId);
});
