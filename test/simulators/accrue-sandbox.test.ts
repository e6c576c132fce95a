/**
 * The Accrue sandbox itself, as the vendor document describes the API: JSON:API documents and
 * errors, authentication, users and wallets, the stand-in widget pages, its own rate limit,
 * the /__sandbox/ control endpoints, and running on its own (npm run sandbox:accrue).
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStandalone, type Standalone } from "./shared/standalone";
import { MAGIC_PHONES, startAccrueSandbox, type AccrueSandbox, type MerchantCredentials } from "./accrue/server";

let sandbox: AccrueSandbox;
let merchant: MerchantCredentials;

beforeAll(async () => {
  sandbox = await startAccrueSandbox({ sleep: async () => {} });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  merchant = sandbox.createMerchant({ name: "Widget shop" });
});

function api(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; credentials?: MerchantCredentials } = {}) {
  const credentials = init.credentials ?? merchant;
  return fetch(`${sandbox.url}/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: {
      "Client-ID": credentials.clientId,
      Authorization: `Bearer ${credentials.clientSecret}`,
      ...(init.body === undefined ? {} : { "Content-Type": "application/vnd.api+json" }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function json(response: Response): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), body: text ? JSON.parse(text) : {} };
}

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("JSON:API documents and errors", () => {
  it("answers with application/vnd.api+json and error objects carrying status, code and detail", async () => {
    expect(await json(await api("/payments/00000000-0000-4000-8000-000000000000"))).toEqual({
      status: 404,
      type: "application/vnd.api+json",
      body: { errors: [{ status: "404", code: "not_found", detail: "No payment with this id" }] },
    });
  });

  it.each([
    ["no Authorization", { Authorization: "" }],
    ["no Client-ID", { "Client-ID": "" }],
    ["a wrong secret", { Authorization: `Bearer ${"0".repeat(64)}` }],
    ["Basic (not the documented scheme)", { Authorization: "Basic eDp5" }],
  ])("401 for %s", async (_label, headers) => {
    expect(await json(await api("/payments?include=refunds", { headers }))).toMatchObject({
      status: 401,
      body: { errors: [{ status: "401", code: "unauthorized" }] },
    });
  });

  it("validation problems are listed with JSON pointers; nothing is created", async () => {
    const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.approved, amount: 1999, reference: "r" });
    const bad = await json(
      await api(`/payment-intents/${intent.id}/authorize`, { method: "POST", body: { data: { type: "CapturePayment", attributes: { amount: 19.99 } } } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { status: "400", code: "invalid_request", detail: expect.stringContaining("type"), meta: { pointer: "/data/type" } },
      { status: "400", code: "invalid_request", detail: expect.stringContaining("attributes.amount"), meta: { pointer: "/data/attributes/amount" } },
    ]);
    expect(sandbox.state(merchant.clientId).payments).toEqual([]);
  });

  it("415 for a request document that is not application/vnd.api+json (strict media type)", async () => {
    const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.approved, amount: 100, reference: "r" });
    const response = await api(`/payment-intents/${intent.id}/authorize`, {
      method: "POST",
      body: { data: { type: "AuthorizePaymentIntent", attributes: { amount: 100 } } },
      headers: { "Content-Type": "application/json" },
    });
    expect(response.status).toBe(415);
  });

  it("list operations: include is required, page[limit] is 1–100, sort is createdAt or -createdAt", async () => {
    expect((await api("/payments")).status).toBe(400);
    expect((await api("/payments?include=refunds&page[limit]=101")).status).toBe(400);
    expect((await api("/payments?include=refunds&sort=amount")).status).toBe(400);
    expect(await json(await api("/payments?include=refunds&page[limit]=100&sort=createdAt"))).toMatchObject({ status: 200, body: { data: [], included: [] } });
  });

  it("another merchant's objects are 404; unknown endpoints are 404; the /api/v1 prefix is required by default", async () => {
    const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.approved, amount: 100, reference: "r" });
    const other = sandbox.createMerchant();
    expect((await api(`/payment-intents/${intent.id}`, { credentials: other })).status).toBe(404);
    expect((await api("/refunds")).status).toBe(404);
    expect(
      (await fetch(`${sandbox.url}/payments`, { headers: { "Client-ID": merchant.clientId, Authorization: `Bearer ${merchant.clientSecret}` } })).status,
    ).toBe(404);
  });
});

describe("users and wallets", () => {
  it("a shopper who signs in gets a user and a wallet; holds show in the balance", async () => {
    const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: "+1 (212) 555-0199", amount: 2500, reference: "r" });
    const userId = String(intent.attributes.userId);
    const walletId = String(intent.attributes.walletId);
    for (const path of ["/users", "/users/users"]) {
      expect(await json(await api(`${path}?filter[phoneNumber]=%2B12125550199`))).toMatchObject({
        status: 200,
        body: { data: [{ id: userId, type: "User" }] },
      });
    }
    await api(`/payment-intents/${intent.id}/authorize`, { method: "POST", body: { data: { type: "AuthorizePaymentIntent", attributes: { amount: 2500 } } } });
    const balance = await json(await api(`/wallets/${walletId}/balance?include=user`));
    expect(balance).toMatchObject({
      status: 200,
      body: {
        data: { id: walletId, type: "Wallet", attributes: { balance: { available: { deposit: 997_500 }, held: { total: 2500 } } } },
        included: [{ id: userId, type: "User" }],
      },
    });
    expect(await json(await api(`/wallets?filter[phoneNumber]=%2B12125550199`))).toMatchObject({
      body: { data: [{ id: walletId, relationships: { user: { data: [{ id: userId }] } } }] },
    });
  });

  it("the attached profile can be set and the balance found by its referenceId", async () => {
    const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.approved, amount: 100, reference: "r" });
    const userId = String(intent.attributes.userId);
    const patched = await json(
      await api(`/users/${userId}/attached-profile`, { method: "PATCH", body: { type: "AttachedProfile", attributes: { referenceId: "customer-42" } } }),
    );
    expect(patched).toMatchObject({ status: 200, body: { data: { attributes: { attachedProfile: { referenceId: "customer-42" } } } } });
    expect(await json(await api("/users/customer-42/wallet-balance"))).toMatchObject({ status: 200, body: { data: { id: intent.attributes.walletId } } });
  });

  it("the insufficient-funds phone's wallet is empty", async () => {
    const intent = sandbox.createPaymentIntent({ clientId: merchant.clientId, phoneNumber: MAGIC_PHONES.insufficientFunds, amount: 100, reference: "r" });
    expect(await json(await api(`/wallets/${String(intent.attributes.walletId)}/balance`))).toMatchObject({
      body: { data: { attributes: { balance: { available: { total: 0 } } } } },
    });
  });
});

describe("the stand-in widget", () => {
  it("serves main.js defining <accrue-pay>, window.accruePay and AccruePay::Ready", async () => {
    const response = await fetch(`${sandbox.url}/main.js`);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const script = await response.text();
    for (const needle of [
      'customElements.define("accrue-pay"',
      "onPaymentIntentStart",
      "onPaymentIntentCreated",
      "onSignIn",
      "AccruePay::Ready",
      "event.origin !== origin",
    ]) {
      expect(script).toContain(needle);
    }
  });

  it("sign in by phone, pay: an intent for the merchant's amount and reference, handed to the page's origin only", async () => {
    const context = { clientId: merchant.clientId, amount: "1999", reference: "opaque-token", flow: "wallet", parentOrigin: "https://shop.example" };
    const start = await fetch(`${sandbox.url}/widget?${new URLSearchParams(context)}`);
    expect(start.status).toBe(200);
    expect(await start.text()).toContain("$19.99");

    const signedIn = await fetch(`${sandbox.url}/widget/sign-in`, form({ ...context, phoneNumber: "(212) 555-0100" }));
    const walletPage = await signedIn.text();
    expect(walletPage).toContain("Signed in as +12125550100");
    expect(walletPage).toContain('"targetOrigin":"https://shop.example"');
    expect(walletPage).toContain("accrue-pay:sign-in");

    const paid = await (await fetch(`${sandbox.url}/widget/pay`, form({ ...context, phoneNumber: "+12125550100", action: "pay" }))).text();
    const [intent] = sandbox.state(merchant.clientId).intents;
    expect(intent).toMatchObject({
      type: "PaymentIntent",
      attributes: { status: "Promotable", reference: "opaque-token", amount: 1999, phoneNumber: "+12125550100" },
    });
    expect(paid).toContain(`"paymentIntentId":"${intent?.id}"`);
    expect(paid).toContain("accrue-pay:payment-intent-created");
    expect(paid).not.toContain('"targetOrigin":"*"');
  });

  it("cancel posts accrue-pay:cancel and creates nothing; bad parameters are refused", async () => {
    const context = { clientId: merchant.clientId, amount: "500", reference: "t", parentOrigin: "https://shop.example" };
    expect(await (await fetch(`${sandbox.url}/widget/pay`, form({ ...context, phoneNumber: "+12125550100", action: "cancel" }))).text()).toContain(
      "accrue-pay:cancel",
    );
    expect(sandbox.state(merchant.clientId).intents).toEqual([]);
    expect((await fetch(`${sandbox.url}/widget?${new URLSearchParams({ ...context, clientId: "unknown" })}`)).status).toBe(400);
    expect((await fetch(`${sandbox.url}/widget?${new URLSearchParams({ ...context, amount: "19.99" })}`)).status).toBe(400);
    expect((await fetch(`${sandbox.url}/widget?${new URLSearchParams({ ...context, parentOrigin: "nope" })}`)).status).toBe(400);
    expect((await fetch(`${sandbox.url}/widget/sign-in`, form({ ...context, phoneNumber: "12" }))).status).toBe(400);
  });

  it("the widget drops the reference when that reading is chosen", async () => {
    sandbox.setBehaviour({ widgetReference: "dropped" });
    const context = { clientId: merchant.clientId, amount: "500", reference: "t", parentOrigin: "https://shop.example" };
    await fetch(`${sandbox.url}/widget/pay`, form({ ...context, phoneNumber: "+12125550100", action: "pay" }));
    expect(sandbox.state(merchant.clientId).intents[0]?.attributes.reference).toBeNull();
  });
});

describe("rate limit, faults, control", () => {
  it("over the per-minute limit: 429 with Retry-After until the minute has passed", async () => {
    let now = Date.parse("2026-03-01T00:00:00Z");
    const limited = await startAccrueSandbox({ now: () => new Date(now), behaviour: { rateLimitPerMinute: 2 } });
    try {
      const creds = limited.createMerchant();
      const get = () =>
        fetch(`${limited.url}/api/v1/payments?include=refunds`, { headers: { "Client-ID": creds.clientId, Authorization: `Bearer ${creds.clientSecret}` } });
      expect([(await get()).status, (await get()).status]).toEqual([200, 200]);
      const refused = await get();
      expect([refused.status, refused.headers.get("retry-after")]).toEqual([429, "60"]);
      now += 30_000;
      expect((await get()).headers.get("retry-after")).toBe("30");
      now += 30_000;
      expect((await get()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("a hung request stays open until the client gives up; close() still returns", async () => {
    sandbox.setFaults({ hang: { count: 1 } });
    const aborted = await fetch(`${sandbox.url}/api/v1/payments?include=refunds`, {
      headers: { "Client-ID": merchant.clientId, Authorization: `Bearer ${merchant.clientSecret}` },
      signal: AbortSignal.timeout(200),
    }).catch((error: Error) => error.name);
    expect(aborted).toBe("TimeoutError");
    expect(sandbox.requests().map((r) => r.status)).toContain("hung");
  });
});

describe("standalone (npm run sandbox:accrue)", () => {
  let standalone: Standalone;
  let url = "";

  beforeAll(async () => {
    standalone = await startStandalone(fileURLToPath(new URL("./accrue/main.ts", import.meta.url)));
    url = standalone.url;
  });
  afterAll(() => standalone.stop());

  it("serves the demo merchant and is steered over /__sandbox/", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${url}/__sandbox${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect(await (await fetch(`${url}/__sandbox/health`)).json()).toEqual({ data: { ok: true, environment: "sandbox" } });
    const { DEMO_MERCHANT } = await import("./accrue/demo-merchant");
    const created = (await (
      await post("/payment-intents", { clientId: DEMO_MERCHANT.clientId, phoneNumber: MAGIC_PHONES.approved, amount: 1500, reference: "demo" })
    ).json()) as {
      data: { id: string };
    };
    expect((await post("/faults", { serverError: { count: 1, match: "GET /payment-intents/" } })).status).toBe(200);
    const headers = { "Client-ID": DEMO_MERCHANT.clientId, Authorization: `Bearer ${DEMO_MERCHANT.clientSecret}` };
    expect((await fetch(`${url}/api/v1/payment-intents/${created.data.id}`, { headers })).status).toBe(500);
    expect((await fetch(`${url}/api/v1/payment-intents/${created.data.id}`, { headers })).status).toBe(200);
    expect((await post("/behaviour", { intentAmount: "absent" })).status).toBe(200);
    expect((await post("/clock", { advanceMs: 60_000 })).status).toBe(200);
    const stateAnswer = (await (await fetch(`${url}/__sandbox/state?clientId=${DEMO_MERCHANT.clientId}`)).json()) as {
      data: { intents: { attributes: Record<string, unknown> }[] };
    };
    expect(stateAnswer.data.intents[0]?.attributes).not.toHaveProperty("amount");
    const requests = (await (await fetch(`${url}/__sandbox/requests`)).json()) as { data: { status: number }[] };
    expect(requests.data.map((r) => r.status)).toEqual([500, 200]);
    const second = (await (await post("/merchants", {})).json()) as { data: { clientId: string; clientSecret: string } };
    expect(second.data.clientSecret).toMatch(/^[0-9a-f]{64}$/);
    expect((await post(`/merchants/${second.data.clientId}/revoke`, {})).status).toBe(200);
    expect((await post("/reset", {})).status).toBe(200);
  });
});
