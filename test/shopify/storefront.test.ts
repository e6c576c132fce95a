import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type PaymentSessionBody, type ShopifySimulator } from "../simulators/shopify";
import { ACCESS_TOKEN, inOneHour, SHOP, simulatorClient } from "./helpers";

/**
 * The simulated storefront checkout (/__sim/store) against a tiny fake app standing in for the app's
 * payment_session_url: it records what Shopify would send and answers what each test sets.
 */

let simulator: ShopifySimulator;
let app: Server;
let appOrigin: string;
let appSessionUrl: string;
const received: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: unknown }> = [];
let appAnswer: { status: number; body: string };

const FORM: Readonly<Record<string, string>> = {
  amount: "49.99",
  currency: "EUR",
  test: "1",
  kind: "sale",
  email: "alice.smith@example.com",
  givenName: "Alice",
  familyName: "Smith",
  line1: "123 Street",
  city: "Valletta",
  postalCode: "VLT 1010",
  countryCode: "MT",
};

beforeAll(async () => {
  app = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.writeHead(appAnswer.status, { "content-type": "application/json" });
      response.end(appAnswer.body);
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  appSessionUrl = `${appOrigin}/shopify/payment`;
  simulator = await startShopifySimulator({ appPaymentSessionUrl: appSessionUrl });
});

afterAll(async () => {
  await simulator.close();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

beforeEach(() => {
  simulator.reset();
  simulator.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN });
  simulator.setAppPaymentSessionUrl(appSessionUrl);
  received.length = 0;
  appAnswer = { status: 201, body: JSON.stringify({ redirect_url: `${appOrigin}/pay/x` }) };
});

function postCheckout(fields: Readonly<Record<string, string>> = FORM, shop = SHOP): Promise<Response> {
  return fetch(`${simulator.url}/__sim/store/${encodeURIComponent(shop)}/checkout`, {
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

function sentSession(): PaymentSessionBody {
  expect(received).toHaveLength(1);
  return received[0]?.body as PaymentSessionBody;
}

describe("storefront page", () => {
  it("serves a checkout form with labelled, prefilled fields and a Pay with Accelebit button", async () => {
    const response = await fetch(`${simulator.url}/__sim/store/${SHOP}`);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    for (const id of ["amount", "currency", "test", "kind", "email", "givenName", "familyName", "line1", "city", "postalCode", "countryCode"]) {
      expect(page).toContain(`<label for="${id}">`);
      expect(page).toMatch(new RegExp(`id="${id}" name="${id}"`));
    }
    expect(page).toContain(`action="/__sim/store/${SHOP}/checkout"`);
    expect(page).toContain('<button type="submit">Pay with Accelebit</button>');
    expect(page).toContain('id="amount" name="amount" value="49.99"');
    expect(page).toContain('id="currency" name="currency" value="EUR"');
    expect(page).toMatch(/id="test" name="test" value="1"\s+checked/);
    expect(page).toMatch(/<option value="sale"\s+selected>/);
    expect(page).toContain('value="Alice"');
    expect(page).toContain('value="Valletta"');
    expect(page).toContain('value="MT"');
    expect(page).toContain(`Payment sessions go to <code>${appSessionUrl}</code>`);
    expect(page).not.toMatch(/<(script|link|img)\b/);
  });

  it("answers 404 with a clear message for an unknown shop, and sends nothing", async () => {
    const page = await fetch(`${simulator.url}/__sim/store/nobody.myshopify.com`);
    const checkout = await postCheckout(FORM, "nobody.myshopify.com");

    expect(page.status).toBe(404);
    expect(await page.text()).toContain("No shop named <code>nobody.myshopify.com</code> is registered");
    expect(checkout.status).toBe(404);
    expect(received).toEqual([]);
  });

  it("lists registered shops with links to their stores, escaped", async () => {
    simulator.registerShop({ shop: "<b>odd</b>.myshopify.com", accessToken: "shpat_odd" });

    const response = await fetch(`${simulator.url}/__sim/store`);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(page).toContain(`<a href="/__sim/store/${SHOP}">${SHOP}</a>`);
    expect(page).toContain('<a href="/__sim/store/%3Cb%3Eodd%3C%2Fb%3E.myshopify.com">&#60;b&#62;odd&#60;/b&#62;.myshopify.com</a>');
    expect(page).not.toContain("<b>");
  });

  it("refuses other methods", async () => {
    const getCheckout = await fetch(`${simulator.url}/__sim/store/${SHOP}/checkout`);
    expect([getCheckout.status, getCheckout.headers.get("allow")]).toEqual([405, "POST"]);
  });
});

describe("storefront checkout", () => {
  it("sends a Shopify-shaped offsite payment session and redirects 303 to the app's redirect_url", async () => {
    const response = await postCheckout();

    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${appOrigin}/pay/x`);
    const [request] = received;
    const body = sentSession();
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/shopify/payment");
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "shopify-shop-domain": SHOP,
      "shopify-request-id": expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      "shopify-api-version": "2026-04",
    });
    const address = { given_name: "Alice", family_name: "Smith", line1: "123 Street", city: "Valletta", postal_code: "VLT 1010", country_code: "MT" };
    expect(body).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9]{24}$/),
      gid: `gid://shopify/PaymentSession/${body.id}`,
      group: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      session_id: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      amount: "49.99",
      currency: "EUR",
      test: true,
      merchant_locale: "en",
      payment_method: { type: "offsite", data: { cancel_url: `${simulator.url}/__sim/checkout/${body.id}?cancelled=1` } },
      proposed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      customer: { email: "alice.smith@example.com", locale: "en", billing_address: address, shipping_address: address },
      kind: "sale",
    });
    expect(simulator.sessionState(body.gid)).toMatchObject({
      status: "open",
      delivery: "acknowledged",
      deliveries: [{ requestId: request?.headers["shopify-request-id"], status: 201, error: null }],
    });
  });

  it("registers the session, so the app's later resolve is accepted and leads to the thank-you page", async () => {
    await postCheckout();
    const { gid, id } = sentSession();
    const { client } = simulatorClient(simulator);

    const resolved = await client.paymentSessionResolve({ id: gid });

    if (resolved.kind !== "done") throw new Error(`resolve failed: ${JSON.stringify(resolved)}`);
    expect(resolved.result.nextActionRedirectUrl).toBe(`${simulator.url}/__sim/orders/${id}`);
    const thankYou = await fetch(resolved.result.nextActionRedirectUrl ?? "");
    const page = await thankYou.text();
    expect(thankYou.status).toBe(200);
    expect(page).toContain("<h1>Thank you for your order</h1>");
    expect(page).toContain("Your order is confirmed.");
    expect(page).toContain('<span data-testid="amount">49.99 EUR</span>');
    expect(page).toContain(`<code data-testid="payment-session-id">${id}</code>`);
  });

  it("says the payment is being processed when the app marks the session pending", async () => {
    await postCheckout();
    const { gid } = sentSession();
    const { client } = simulatorClient(simulator);

    const pending = await client.paymentSessionPending({ id: gid, pendingExpiresAt: inOneHour(), reason: "BUYER_ACTION_REQUIRED" });

    if (pending.kind !== "done") throw new Error(`pending failed: ${JSON.stringify(pending)}`);
    const page = await (await fetch(pending.result.nextActionRedirectUrl ?? "")).text();
    expect(page).toContain("<h1>Thank you for your order</h1>");
    expect(page).toContain("Your payment is being processed.");
  });

  it("shows the checkout with the reject reason and a Try again link after a reject", async () => {
    await postCheckout();
    const { gid } = sentSession();
    const { client } = simulatorClient(simulator);

    const rejected = await client.paymentSessionReject({ id: gid, reason: { code: "CARD_DECLINED" } });

    if (rejected.kind !== "done") throw new Error(`reject failed: ${JSON.stringify(rejected)}`);
    const checkout = await fetch(rejected.result.nextActionRedirectUrl ?? "");
    const page = await checkout.text();
    expect(checkout.status).toBe(200);
    expect(page).toContain("<h1>Checkout</h1>");
    expect(page).toMatch(/<div role="alert">\s*<p>Your payment could not be processed.<\/p>/);
    expect(page).toContain('<code data-testid="reject-reason">CARD_DECLINED</code>');
    expect(page).toContain(`<a href="/__sim/store/${SHOP}">Try again</a>`);
  });

  it("shows a cancel notice at cancel_url, without any mutation", async () => {
    await postCheckout();
    const body = sentSession();

    const cancel = await fetch(String(body.payment_method.data.cancel_url));
    const page = await cancel.text();

    expect(cancel.status).toBe(200);
    expect(page).toContain("<h1>Checkout</h1>");
    expect(page).toContain("Payment cancelled. Choose a payment method.");
    expect(page).toContain(`<a href="/__sim/store/${SHOP}">Choose another payment method</a>`);
    expect(page).not.toContain("could not be processed");
    expect(simulator.mutations).toEqual([]);
  });

  it("sends an authorization in live mode with an upper-cased currency when the buyer picks them", async () => {
    const { test: _test, ...withoutTest } = FORM;

    const response = await postCheckout({ ...withoutTest, kind: "authorization", currency: "usd", amount: "0.125", email: "", givenName: "", postalCode: "" });

    expect(response.status).toBe(303);
    expect(sentSession()).toMatchObject({
      amount: "0.125",
      currency: "USD",
      test: false,
      kind: "authorization",
      customer: { locale: "en", billing_address: { family_name: "Smith", line1: "123 Street", city: "Valletta", country_code: "MT" } },
    });
    const { customer } = sentSession();
    expect(customer).not.toHaveProperty("email");
    expect(customer?.billing_address).not.toHaveProperty("given_name");
    expect(customer?.billing_address).not.toHaveProperty("postal_code");
  });
});

describe("storefront checkout: failures", () => {
  it("renders an error page with the app's status when the app answers an error, never its body", async () => {
    appAnswer = { status: 500, body: JSON.stringify({ error: "TypeError: boom\n    at handler (/srv/app/payment.ts:12:3)" }) };

    const response = await postCheckout();
    const page = await response.text();

    expect(response.status).toBe(502);
    expect(page).toContain("The payment provider could not start the payment.");
    expect(page).toContain('HTTP status <span data-testid="app-status">500</span>');
    expect(page).toContain(`<code>${received[0]?.headers["shopify-request-id"]}</code>`);
    expect(page).toContain(`<a href="/__sim/store/${SHOP}">Try again</a>`);
    expect(page).not.toContain("boom");
    expect(page).not.toContain("/srv/app");
    expect(simulator.sessionState(sentSession().gid)).toMatchObject({ delivery: "failed", deliveries: [{ status: 500 }] });
  });

  it("treats a 2xx answer without a usable redirect_url as a failure", async () => {
    for (const body of [
      "{}",
      JSON.stringify({ redirect_url: "javascript:alert(1)" }),
      JSON.stringify({ redirect_url: `https://x.example/${"a".repeat(8200)}` }),
    ]) {
      appAnswer = { status: 201, body };
      const response = await postCheckout();
      const page = await response.text();

      expect(response.status).toBe(502);
      expect(page).toContain('HTTP status <span data-testid="app-status">201</span> but without a usable <code>redirect_url</code>');
    }
  });

  it("renders an error page when the app cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    simulator.setAppPaymentSessionUrl(`http://127.0.0.1:${port}/shopify/payment`);

    const response = await postCheckout();
    const page = await response.text();

    expect(response.status).toBe(502);
    expect(page).toContain('The payment app could not be reached (<span data-testid="app-error">ECONNREFUSED</span>).');
  });

  it("explains a missing app URL instead of sending anything", async () => {
    simulator.setAppPaymentSessionUrl(null);

    const response = await postCheckout();

    expect(response.status).toBe(503);
    expect(await response.text()).toContain("SIM_APP_PAYMENT_SESSION_URL");
    expect(received).toEqual([]);
  });

  it("re-renders the form with messages on bad input, escaped, and sends nothing", async () => {
    const response = await postCheckout({
      ...FORM,
      amount: '49,99"><script>alert(1)</script>',
      currency: "EU1",
      kind: "refund",
      email: "not-an-email",
      familyName: "",
      countryCode: "Malta",
    });
    const page = await response.text();

    expect(response.status).toBe(422);
    expect(page).toContain('<div role="alert">Please correct the fields marked below.</div>');
    expect(page).toContain('<p class="error" id="amount-error">Enter the amount with a dot as decimal separator and at most 3 decimals, e.g. 49.99.</p>');
    expect(page).toContain('aria-invalid="true" aria-describedby="amount-error"');
    expect(page).toContain("Enter a 3-letter ISO currency code, e.g. EUR.");
    expect(page).toContain("Choose sale or authorization.");
    expect(page).toContain("Enter a valid email address, or leave it empty.");
    expect(page).toContain("Enter a last name.");
    expect(page).toContain("Enter a 2-letter country code, e.g. MT.");
    expect(page).toContain('value="49,99&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(page).toContain('value="EU1"');
    expect(page).not.toContain("<script>");
    expect(page).not.toContain('id="city-error"');
    expect(received).toEqual([]);
  });

  it("rejects more than 3 decimals, a zero amount and keeps the unchecked test box unchecked", async () => {
    const { test: _test, ...withoutTest } = FORM;
    const tooPrecise = await (await postCheckout({ ...withoutTest, amount: "1.2345" })).text();
    const zero = await (await postCheckout({ ...FORM, amount: "0.00" })).text();

    expect(tooPrecise).toContain('id="amount-error"');
    expect(tooPrecise).not.toMatch(/id="test" name="test" value="1"\s+checked/);
    expect(zero).toContain("The amount must be greater than zero.");
    expect(received).toEqual([]);
  });
});

describe("app payment session URL", () => {
  it("refuses URLs Shopify could not call", async () => {
    expect(() => simulator.setAppPaymentSessionUrl("ftp://app.example.com/pay")).toThrow(/http\(s\)/);
    expect(() => simulator.setAppPaymentSessionUrl("/shopify/payment")).toThrow(/absolute/);
    await expect(startShopifySimulator({ appPaymentSessionUrl: "nonsense" })).rejects.toThrow(/absolute/);
    expect(simulator.appPaymentSessionUrl).toBe(appSessionUrl);
  });

  it("is settable over HTTP for a simulator in another process", async () => {
    const set = (url: unknown) =>
      fetch(`${simulator.url}/__sim/app-payment-session-url`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });

    expect(await (await set("http://127.0.0.1:1/other")).json()).toEqual({ url: "http://127.0.0.1:1/other" });
    expect(simulator.appPaymentSessionUrl).toBe("http://127.0.0.1:1/other");
    expect((await set("ftp://x.example")).status).toBe(422);
    expect(await (await set(null)).json()).toEqual({ url: null });
    expect(await (await fetch(`${simulator.url}/__sim/app-payment-session-url`)).json()).toEqual({ url: null });
  });

  it("survives reset, like the port", () => {
    simulator.reset();
    expect(simulator.appPaymentSessionUrl).toBe(appSessionUrl);
  });
});
