import { expect, test } from "@playwright/test";
import { expectNoCspViolations } from "./csp-violations";

expectNoCspViolations();

/**
 * Credit-card sessions against the built app and both simulators: the simulated Shopify sends
 * the card encrypted to the app's key, the app answers, charges and reports by mutation. With
 * 3-D Secure, Chromium opens the page Shopify was given, passes the sandbox challenge and comes
 * back to Shopify, which confirms; each test ends with the exact mutations Shopify received.
 */
const SIM = () => process.env.E2E_SHOPIFY_SIMULATOR_URL!;
const APP = () => process.env.E2E_APP_URL!;
const CARDS = { captured: "4242424242424242", declined: "4000000000000002", threeDsGet: "4000000000003220", threeDsPost: "4000000000003063" };

interface Mutation {
  field: string;
  sessionGid: string | null;
  effect: string;
  variables: Record<string, unknown>;
}

async function mutationsFor(gid: string): Promise<Mutation[]> {
  const { mutations } = (await (await fetch(`${SIM()}/__sim/mutations`)).json()) as { mutations: Mutation[] };
  return mutations.filter((m) => m.sessionGid === gid && m.effect === "applied");
}

async function sendCardSession(pan: string, amount: string, { confirmationResult = true } = {}): Promise<{ id: string; gid: string }> {
  const res = await fetch(`${SIM()}/__sim/sessions/payment`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      shop: process.env.E2E_PAY_SHOP,
      paymentMethodType: "credit_card",
      amount,
      currency: "EUR",
      card: { full_name: "Alice Smith", pan, month: 12, year: 2039, verification_value: "123" },
      confirmationResult,
      deliverTo: `${APP()}/shopify/card/payment`,
    }),
  });
  const created = (await res.json()) as { request: { id: string; gid: string }; delivery: { status: number; text: string } };
  expect([created.delivery.status, created.delivery.text]).toEqual([201, ""]);
  return created.request;
}

const finalFields = (mutations: Mutation[]) => mutations.some((m) => m.field === "paymentSessionResolve" || m.field === "paymentSessionReject");

async function settled(gid: string): Promise<Mutation[]> {
  await expect.poll(async () => finalFields(await mutationsFor(gid)), { timeout: 20_000 }).toBe(true);
  return mutationsFor(gid);
}

test("a card payment without 3-D Secure resolves", async () => {
  const session = await sendCardSession(CARDS.captured, "31.00");
  const mutations = await settled(session.gid);
  expect(mutations.map((m) => m.field)).toEqual(["paymentSessionResolve"]);
  expect(mutations[0]!.variables.authentication).toBeUndefined();
});

test("a declined card is rejected with CARD_DECLINED", async () => {
  const session = await sendCardSession(CARDS.declined, "32.00");
  const mutations = await settled(session.gid);
  expect(mutations.map((m) => m.field)).toEqual(["paymentSessionReject"]);
  expect(mutations[0]!.variables).toMatchObject({ reason: { code: "CARD_DECLINED" } });
});

for (const variant of ["GET", "POST"] as const) {
  test(`3-D Secure (${variant}): the shopper passes the challenge and the session resolves with authentication after confirmation`, async ({ page }) => {
    const session = await sendCardSession(variant === "GET" ? CARDS.threeDsGet : CARDS.threeDsPost, variant === "GET" ? "33.00" : "34.00");
    await expect.poll(async () => (await mutationsFor(session.gid)).map((m) => m.field), { timeout: 20_000 }).toEqual(["paymentSessionRedirect"]);
    const redirectUrl = String((await mutationsFor(session.gid))[0]!.variables.redirectUrl);
    expect(redirectUrl).toMatch(new RegExp(`^${APP()}/card-3ds/[A-Za-z0-9_-]{32}$`));

    await page.goto(redirectUrl);
    await page.getByRole("button", { name: "Approve" }).click();
    // Shopify's nextAction after paymentSessionConfirm: back to checkout, which waits for the result.
    await expect(page).toHaveURL(`${SIM()}/__sim/checkout/${session.id}`);

    const mutations = await settled(session.gid);
    expect(mutations.map((m) => m.field)).toEqual(["paymentSessionRedirect", "paymentSessionConfirm", "paymentSessionResolve"]);
    expect(mutations[2]!.variables.authentication).toEqual({
      authenticationData: { transStatus: "Y", authenticationFlow: "CHALLENGE", version: "UNKNOWN", chargebackLiability: "UNKNOWN" },
    });
  });
}

async function refundsAtSandbox(): Promise<number> {
  const res = await fetch(`${process.env.E2E_SANDBOX_URL}/__sandbox/stats`, { headers: { "X-API-Key": process.env.E2E_PAY_KEY! } });
  return ((await res.json()) as { data: { refunds: number } }).data.refunds;
}

test("3-D Secure failed: the session is rejected with AUTHENTICATION_FAILED and the authentication data", async ({ page }) => {
  const session = await sendCardSession(CARDS.threeDsGet, "35.00");
  await expect.poll(async () => (await mutationsFor(session.gid)).map((m) => m.field), { timeout: 20_000 }).toEqual(["paymentSessionRedirect"]);
  await page.goto(String((await mutationsFor(session.gid))[0]!.variables.redirectUrl));
  await page.getByRole("button", { name: "Fail" }).click();
  const mutations = await settled(session.gid);
  expect(mutations.map((m) => m.field)).toEqual(["paymentSessionRedirect", "paymentSessionReject"]);
  expect(mutations[1]!.variables).toMatchObject({
    reason: { code: "AUTHENTICATION_FAILED" },
    authentication: { authenticationData: { transStatus: "N", chargebackLiability: "MERCHANT" } },
  });
});

test("Shopify answers the confirmation with false: the payment is refunded and the session rejected with CONFIRMATION_REJECTED", async ({ page }) => {
  const refundsBefore = await refundsAtSandbox();
  const session = await sendCardSession(CARDS.threeDsGet, "36.00", { confirmationResult: false });
  await expect.poll(async () => (await mutationsFor(session.gid)).map((m) => m.field), { timeout: 20_000 }).toEqual(["paymentSessionRedirect"]);
  await page.goto(String((await mutationsFor(session.gid))[0]!.variables.redirectUrl));
  await page.getByRole("button", { name: "Approve" }).click();
  const mutations = await settled(session.gid);
  expect(mutations.map((m) => m.field)).toEqual(["paymentSessionRedirect", "paymentSessionConfirm", "paymentSessionReject"]);
  expect(mutations[2]!.variables).toMatchObject({ reason: { code: "CONFIRMATION_REJECTED" } });
  await expect.poll(refundsAtSandbox, { timeout: 20_000 }).toBe(refundsBefore + 1);
});
