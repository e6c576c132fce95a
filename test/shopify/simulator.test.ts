import { spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { ACCESS_TOKEN, SHOP, simulatorClient } from "./helpers";

let simulator: ShopifySimulator;

beforeAll(async () => {
  simulator = await startShopifySimulator();
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
  simulator.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN });
});

async function postGraphQL(
  body: unknown,
  { version = "2026-04", token = ACCESS_TOKEN }: { version?: string; token?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${simulator.url}/payments_apps/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token === null ? {} : { "x-shopify-access-token": token }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function errorMessages(json: Record<string, unknown>): string[] {
  return (json.errors as Array<{ message: string }>).map((error) => error.message);
}

describe("GraphQL endpoint: transport rules", () => {
  it("answers an unknown API version with 404", async () => {
    expect(await postGraphQL({ query: "{ publicApiVersions { handle } }" }, { version: "2019-01" })).toEqual({
      status: 404,
      json: { errors: "Not Found" },
    });
  });

  it("answers an unknown or missing access token with 401 like Shopify", async () => {
    const expected = { status: 401, json: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } };
    expect(await postGraphQL({ query: "{ publicApiVersions { handle } }" }, { token: "shpat_unknown" })).toEqual(expected);
    expect(await postGraphQL({ query: "{ publicApiVersions { handle } }" }, { token: null })).toEqual(expected);
  });

  it("answers publicApiVersions", async () => {
    const { status, json } = await postGraphQL({ query: "{ publicApiVersions { handle supported } }" });
    expect(status).toBe(200);
    expect(json.data).toEqual({
      publicApiVersions: [
        { handle: "2026-01", supported: true },
        { handle: "2026-04", supported: true },
      ],
    });
  });
});

describe("GraphQL endpoint: documents are validated against the requested version's schema", () => {
  it("rejects `state { code }` on the union (pitfall 4) and executes nothing", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP });
    const { status, json } = await postGraphQL({
      query: `mutation R($id: ID!) { paymentSessionResolve(id: $id) { paymentSession { id state { code } } userErrors { field message } } }`,
      variables: { id: payment.gid },
    });

    expect(status).toBe(200);
    expect(json.data).toBeUndefined();
    expect(errorMessages(json)).toEqual([expect.stringMatching(/^Cannot query field "code" on type "PaymentSessionStates"\./)]);
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
    expect(simulator.mutations).toEqual([]);
  });

  it("rejects `userErrors { code }` on paymentSessionResolve (pitfall 5)", async () => {
    const { json } = await postGraphQL({
      query: `mutation R($id: ID!) { paymentSessionResolve(id: $id) { userErrors { field message code } } }`,
      variables: { id: "gid://shopify/PaymentSession/x" },
    });
    expect(errorMessages(json)).toEqual(['Cannot query field "code" on type "UserError".']);
  });

  it("applies 2026-01's schema on the 2026-01 endpoint: no `source`, no 2026-04 reason codes", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP });
    const selectSource = `mutation R($id: ID!, $reason: PaymentSessionRejectionReasonInput!) {
      paymentSessionReject(id: $id, reason: $reason) { paymentSession { state { ... on PaymentSessionStateRejected { source } } } userErrors { message } } }`;
    const plain = `mutation R($id: ID!, $reason: PaymentSessionRejectionReasonInput!) {
      paymentSessionReject(id: $id, reason: $reason) { paymentSession { id } userErrors { message } } }`;

    const withSource = await postGraphQL({ query: selectSource, variables: { id: payment.gid, reason: { code: "CARD_DECLINED" } } }, { version: "2026-01" });
    const newCode = await postGraphQL({ query: plain, variables: { id: payment.gid, reason: { code: "INSUFFICIENT_FUNDS" } } }, { version: "2026-01" });

    expect(errorMessages(withSource.json)).toEqual(['Cannot query field "source" on type "PaymentSessionStateRejected".']);
    expect(errorMessages(newCode.json)).toEqual([
      expect.stringContaining('Value "INSUFFICIENT_FUNDS" does not exist in "PaymentSessionStateRejectedReason" enum.'),
    ]);
    expect(simulator.mutations).toEqual([]);

    const on202604 = await postGraphQL({ query: selectSource, variables: { id: payment.gid, reason: { code: "INSUFFICIENT_FUNDS", source: "NETWORK" } } });
    expect(on202604.json.data).toEqual({ paymentSessionReject: { paymentSession: { state: { source: "NETWORK" } }, userErrors: [] } });
  });

  it("rejects a malformed DateTime during variable coercion", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP });
    const { json } = await postGraphQL({
      query: `mutation P($id: ID!, $at: DateTime!) { paymentSessionPending(id: $id, pendingExpiresAt: $at, reason: BUYER_ACTION_REQUIRED) { userErrors { code } } }`,
      variables: { id: payment.gid, at: "tomorrow" },
    });
    expect(errorMessages(json)).toEqual([expect.stringContaining('Invalid DateTime: "tomorrow"')]);
    expect(simulator.sessionState(payment.gid)?.status).toBe("open");
  });
});

describe("state rules", () => {
  it("refuses an expired or far-away pending expiry with the schema's codes", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP });
    const { client } = simulatorClient(simulator);

    const past = await client.paymentSessionPending({ id: payment.gid, pendingExpiresAt: "2020-01-01T00:00:00Z", reason: "BUYER_ACTION_REQUIRED" });
    const far = await client.paymentSessionPending({ id: payment.gid, pendingExpiresAt: "2999-01-01T00:00:00Z", reason: "BUYER_ACTION_REQUIRED" });

    expect(past).toMatchObject({ kind: "user-errors", userErrors: [{ code: "EXPIRED_PENDING_EXPIRES_AT", field: ["pendingExpiresAt"] }] });
    expect(far).toMatchObject({ kind: "user-errors", userErrors: [{ code: "OUT_OF_RANGE_PENDING_EXPIRES_AT" }] });
  });

  it("refuses a 3DS redirect for an offsite payment", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP, paymentMethodType: "offsite" });
    const { client } = simulatorClient(simulator);

    expect(await client.paymentSessionRedirect({ id: payment.gid, redirectUrl: "https://pay.example.com/3ds" })).toMatchObject({
      kind: "user-errors",
      userErrors: [{ code: "REDIRECT_NOT_SUPPORTED_FOR_OFFSITE" }],
    });
  });

  it("serves the thank-you page after resolve and the checkout error after reject", async () => {
    const paid = simulator.createPaymentSession({ shop: SHOP, amount: "42.00", currency: "EUR" });
    const declined = simulator.createPaymentSession({ shop: SHOP });
    const { client } = simulatorClient(simulator);

    const resolved = await client.paymentSessionResolve({ id: paid.gid });
    const rejected = await client.paymentSessionReject({ id: declined.gid, reason: { code: "CARD_DECLINED" } });
    if (resolved.kind !== "done" || rejected.kind !== "done") throw new Error("setup failed");

    const thankYou = await fetch(resolved.result.nextActionRedirectUrl ?? "");
    const checkout = await fetch(rejected.result.nextActionRedirectUrl ?? "");
    const orderOfUnpaid = await fetch(`${simulator.url}/__sim/orders/${declined.id}`);

    expect([thankYou.status, await thankYou.text()]).toEqual([200, expect.stringContaining("<h1>Thank you for your order</h1>")]);
    expect(await checkout.text()).toContain("Your payment could not be processed.");
    expect(orderOfUnpaid.status).toBe(404);
  });
});

describe("session requests sent to the app", () => {
  let app: Server;
  let appUrl: string;
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: unknown }> = [];
  /** What the fake app does while handling a request, before it answers. */
  let whileHandling: () => Promise<void> = async () => {};

  beforeAll(async () => {
    app = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ path: request.url ?? "", headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        void whileHandling().then(() => {
          if (request.url === "/shopify/payment") {
            response.writeHead(201, { "content-type": "application/json" });
            response.end(JSON.stringify({ redirect_url: "https://app.example.com/pay/1" }));
          } else {
            response.writeHead(201);
            response.end();
          }
        });
      });
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => app.close(() => resolve()));
  });

  beforeEach(() => {
    received.length = 0;
    whileHandling = async () => {};
  });

  it("builds an offsite payment request like Shopify's and delivers it", async () => {
    const session = simulator.createPaymentSession({ shop: SHOP, kind: "sale", amount: "123.00", currency: "CAD", test: false });

    const delivery = await simulator.sendPaymentSession(`${appUrl}/shopify/payment`, session);

    expect(delivery).toEqual({
      status: 201,
      body: { redirect_url: "https://app.example.com/pay/1" },
      text: '{"redirect_url":"https://app.example.com/pay/1"}',
      requestId: session.headers["Shopify-Request-Id"],
    });
    const [request] = received;
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "shopify-shop-domain": SHOP,
      "shopify-request-id": session.headers["Shopify-Request-Id"],
      "shopify-api-version": "2026-04",
    });
    expect(request?.body).toEqual(session.body);
    expect(session.body).toEqual({
      id: session.id,
      gid: `gid://shopify/PaymentSession/${session.id}`,
      group: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      session_id: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      amount: "123.00",
      currency: "CAD",
      test: false,
      merchant_locale: "en",
      payment_method: { type: "offsite", data: { cancel_url: `${simulator.url}/__sim/checkout/${session.id}?cancelled=1` } },
      proposed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      customer: expect.objectContaining({ email: "buyer@example.com", billing_address: expect.objectContaining({ family_name: "Smith", country_code: "CA" }) }),
      kind: "sale",
    });
    expect(simulator.sessionState(session.gid)).toMatchObject({
      delivery: "acknowledged",
      deliveries: [{ requestId: session.headers["Shopify-Request-Id"], status: 201, error: null }],
    });
  });

  it("builds credit card requests with encrypted card data and client details", () => {
    const session = simulator.createPaymentSession({ shop: SHOP, paymentMethodType: "credit_card", kind: "authorization" });

    expect(session.body.payment_method).toEqual({
      type: "credit_card",
      data: {
        encrypted_message: expect.any(String),
        ephemeral_public_key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n/),
        tag: "e+AURFtb7zppMPT0b0lbGg==",
        moto: false,
      },
    });
    expect(session.body.client_details).toEqual({ ip_address: "203.0.113.7", user_agent: expect.any(String), accept_language: "en-US" });
    expect(session.body.kind).toBe("authorization");
  });

  it("refuses mutations while Shopify still waits for the app's answer (pitfall 1)", async () => {
    const session = simulator.createPaymentSession({ shop: SHOP });
    const { client } = simulatorClient(simulator);
    const outcomes: unknown[] = [];
    whileHandling = async () => {
      outcomes.push(await client.paymentSessionResolve({ id: session.gid }));
    };

    await simulator.sendPaymentSession(`${appUrl}/shopify/payment`, session);
    outcomes.push(await client.paymentSessionResolve({ id: session.gid }));

    expect(outcomes).toEqual([
      {
        kind: "user-errors",
        userErrors: [
          {
            field: ["id"],
            message: expect.stringContaining("the response to start_payment_session request has not been received"),
            code: null,
          },
        ],
      },
      expect.objectContaining({ kind: "done" }),
    ]);
  });

  it("builds refund, capture and void requests from the payment and delivers them", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP, kind: "authorization", amount: "80.00", currency: "USD", test: true });
    const { client } = simulatorClient(simulator);
    await client.paymentSessionResolve({ id: payment.gid });

    const capture = simulator.createCaptureSession({ paymentId: payment.id, amount: "50.00" });
    const refund = simulator.createRefundSession({ paymentId: payment.id });
    const voidSession = simulator.createVoidSession({ paymentId: payment.id });
    const statuses = [
      (await simulator.sendCaptureSession(`${appUrl}/shopify/capture`, capture)).status,
      (await simulator.sendRefundSession(`${appUrl}/shopify/refund`, refund)).status,
      (await simulator.sendVoidSession(`${appUrl}/shopify/void`, voidSession)).status,
    ];

    const common = { payment_id: payment.id, merchant_locale: "en", proposed_at: expect.any(String) };
    expect(capture.body).toEqual({
      id: capture.id,
      gid: `gid://shopify/CaptureSession/${capture.id}`,
      amount: "50.00",
      currency: "USD",
      test: true,
      ...common,
    });
    expect(refund.body).toEqual({ id: refund.id, gid: `gid://shopify/RefundSession/${refund.id}`, amount: "80.00", currency: "USD", test: true, ...common });
    expect(voidSession.body).toEqual({ id: voidSession.id, gid: `gid://shopify/VoidSession/${voidSession.id}`, ...common });
    expect(statuses).toEqual([201, 201, 201]);
    expect(received.map((r) => [r.path, r.headers["shopify-shop-domain"]])).toEqual([
      ["/shopify/capture", SHOP],
      ["/shopify/refund", SHOP],
      ["/shopify/void", SHOP],
    ]);
  });

  it("only creates follow-up sessions Shopify could send", () => {
    const open = simulator.createPaymentSession({ shop: SHOP });
    expect(() => simulator.createRefundSession({ paymentId: open.id })).toThrow(/not resolved/);
    expect(() => simulator.createRefundSession({ paymentId: open.gid })).toThrow(/not its gid/);
  });
});

describe("fault injection", () => {
  it("hits the next N calls, then lets calls through, and counts what it injected", async () => {
    const payment = simulator.createPaymentSession({ shop: SHOP });
    simulator.injectFaults({ kind: "http-5xx", count: 2, fields: ["paymentSessionResolve"] });
    const { client } = simulatorClient(simulator);

    const kinds = [];
    for (let attempt = 0; attempt < 3; attempt += 1) kinds.push((await client.paymentSessionResolve({ id: payment.gid })).kind);

    expect(kinds).toEqual(["failed", "failed", "done"]);
    expect(simulator.injectedFaults).toEqual([
      { kind: "http-5xx", phase: "before", fields: ["paymentSessionResolve"], shop: SHOP },
      { kind: "http-5xx", phase: "before", fields: ["paymentSessionResolve"], shop: SHOP },
    ]);
    expect(simulator.pendingFaults).toBe(0);
  });

  it("hits a deterministic share of calls", async () => {
    simulator.injectFaults({ kind: "throttled", share: 0.5 });
    const { client } = simulatorClient(simulator);

    const kinds = [];
    for (let attempt = 0; attempt < 4; attempt += 1) kinds.push((await client.paymentsAppConfigure({ ready: true })).kind);

    expect(kinds).toEqual(["done", "failed", "done", "failed"]);
  });

  it("only targets the fields it names", async () => {
    simulator.injectFaults({ kind: "http-5xx", fields: ["refundSessionResolve"] });
    const { client } = simulatorClient(simulator);

    expect((await client.paymentsAppConfigure({ ready: true })).kind).toBe("done");
    expect(simulator.pendingFaults).toBe(1);
  });

  it("is controllable over HTTP for a simulator in another process", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${simulator.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    simulator.reset();

    expect((await post("/__sim/shops", { shop: SHOP, accessToken: ACCESS_TOKEN })).status).toBe(201);
    expect((await post("/__sim/faults", { kind: "http-5xx", count: 1, status: 500 })).status).toBe(201);
    expect((await post("/__sim/faults", { kind: "teapot" })).status).toBe(422);
    const created = (await (await post("/__sim/sessions/payment", { shop: SHOP, amount: "5.00" })).json()) as { request: { gid: string } };
    const { client } = simulatorClient(simulator);

    const first = await client.paymentSessionResolve({ id: created.request.gid });
    const second = await client.paymentSessionResolve({ id: created.request.gid });

    expect([first.kind, second.kind]).toEqual(["failed", "done"]);
    const faults = (await (await fetch(`${simulator.url}/__sim/faults`)).json()) as { injected: unknown[]; pending: number };
    expect(faults).toEqual({ injected: [{ kind: "http-5xx", phase: "before", fields: ["paymentSessionResolve"], shop: SHOP }], pending: 0 });
    const mutations = (await (await fetch(`${simulator.url}/__sim/mutations`)).json()) as { mutations: Array<{ field: string; effect: string }> };
    expect(mutations.mutations.map((m) => [m.field, m.effect])).toEqual([["paymentSessionResolve", "applied"]]);
    const state = (await (await fetch(`${simulator.url}/__sim/sessions/${encodeURIComponent(created.request.gid)}`)).json()) as { status: string };
    expect(state.status).toBe("resolved");
  });

  it("releases hung requests on reset", async () => {
    simulator.injectFaults({ kind: "hang" });
    const { client } = simulatorClient(simulator, { timeoutMs: 5_000 });

    const pending = client.paymentsAppConfigure({ ready: true });
    await waitFor(() => simulator.injectedFaults.length === 1);
    simulator.reset();

    expect(await pending).toMatchObject({ kind: "failed", category: "retryable", code: "NETWORK_ERROR" });
  });
});

describe("standalone entry", () => {
  it("main.ts serves on PORT, registers SIM_SHOP and sends storefront payments to SIM_APP_PAYMENT_SESSION_URL", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/simulators/shopify/main.ts"], {
      env: {
        ...process.env,
        PORT: "0",
        SIM_SHOP: SHOP,
        SIM_ACCESS_TOKEN: "shpat_standalone",
        SIM_APP_PAYMENT_SESSION_URL: "http://127.0.0.1:1/shopify/payment",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString("utf8");
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`simulator exited with ${code}: ${output}`)));
      });
      const response = await fetch(`${url}/payments_apps/api/2026-04/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_standalone" },
        body: JSON.stringify({ query: "mutation { paymentsAppConfigure(ready: true) { paymentsAppConfiguration { ready } userErrors { message } } }" }),
      });
      expect(await response.json()).toMatchObject({
        data: { paymentsAppConfigure: { paymentsAppConfiguration: { ready: true }, userErrors: [] } },
      });
      expect(await (await fetch(`${url}/__sim/app-payment-session-url`)).json()).toEqual({ url: "http://127.0.0.1:1/shopify/payment" });
    } finally {
      child.kill("SIGTERM");
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error("condition not reached");
}
