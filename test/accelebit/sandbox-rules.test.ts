/**
 * The sandbox on its own, through raw HTTP: the documents' rules, idempotency, refunds,
 * 3-D Secure pages, webhooks and the /__sandbox/ control endpoints.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyAccelebitWebhook } from "~/accelebit";
import { IDEMPOTENCY_KEY_TTL_MS, type AccelebitSandbox } from "../simulators/accelebit/server";
import { CARDS, OTHER_TEST_KEY, startSandbox, TEST_KEY } from "./support";

let clock = new Date("2026-04-09T12:00:00.000Z");
let sandbox: AccelebitSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ now: () => clock });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  clock = new Date("2026-04-09T12:00:00.000Z");
});

const seedPayment = {
  amount: "55.00",
  currency: "EUR",
  paymentMethod: "card",
  customerId: "user_12345",
  card: { number: "4111111111111111", expiryMonth: "12", expiryYear: "28", cvv: "123", holderName: "Jane Doe" },
  billing: {
    firstName: "Jane",
    lastName: "Doe",
    email: "jane@example.com",
    phone: "+35699123456",
    country: "MT",
    address: "123 Main Street",
    city: "Valletta",
    postalCode: "VLT 1000",
  },
  returnUrl: "https://yoursite.com/payment/callback",
  merchantRef: "order_98765",
};

interface Answer {
  status: number;
  headers: Headers;
  body: { data: unknown; error?: { status: number; name: string; message: string } };
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; idempotencyKey?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== null) headers["X-API-Key"] = options.key ?? TEST_KEY;
  if (options.body !== undefined) headers["Content-Type"] ??= "application/json";
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer["body"] };
}

const pay = (body: unknown, idempotencyKey = "pay_1", key?: string) => call("POST", "/v1/payments", { body, idempotencyKey, ...(key ? { key } : {}) });

function withPath(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(object);
  const keys = path.split(".");
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

describe("authentication", () => {
  it.each([
    ["no key", null],
    ["a key of another form", "sk_test_123"],
    ["a publishable-looking key", "smtgw_pk_test_123"],
    ["an smtgw_sk_ key without test_/live_", "smtgw_sk_123"],
    ["an empty secret", "smtgw_sk_test_"],
  ])("%s is UNAUTHORIZED", async (_label, key) => {
    const answer = await call("GET", "/v1/payments?merchantRef=x", { key });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ data: null, error: { status: 401, name: "UNAUTHORIZED", message: "The API key is invalid or missing" } });
  });

  it("test and live keys each identify their own account", async () => {
    const created = await pay(seedPayment, "k", TEST_KEY);
    const id = (created.body.data as { id: string }).id;
    expect((await call("GET", `/v1/payments/${id}`, { key: TEST_KEY })).status).toBe(200);
    expect((await call("GET", `/v1/payments/${id}`, { key: OTHER_TEST_KEY })).status).toBe(404);
    expect((await call("GET", `/v1/payments/${id}`, { key: "smtgw_sk_live_merchant_one" })).status).toBe(404);
  });
});

describe("payment validation: INVALID_REQUEST with the field", () => {
  it.each([
    ["amount", undefined, "amount: is required and must be a decimal string"],
    ["amount", 55, "amount: is required and must be a decimal string"],
    ["amount", "55.001", 'amount: must be a decimal string with at most two decimal places, e.g. "55.00"'],
    ["amount", "0.00", "amount: must be greater than zero"],
    ["currency", "EURO", "currency: must be a three-letter ISO 4217 code"],
    ["currency", "QQQ", "currency: is not an ISO 4217 currency code"],
    ["paymentMethod", "cash", 'paymentMethod: must be "card" or "stored_card"'],
    ["card", undefined, "card: is required when paymentMethod is card"],
    ["card.number", "411111111111", "card.number: must be 13-19 digits"],
    ["card.number", "41111111111111111111", "card.number: must be 13-19 digits"],
    ["card.expiryMonth", "13", 'card.expiryMonth: must be "01" through "12"'],
    ["card.expiryYear", "2028", 'card.expiryYear: must be two digits, e.g. "28"'],
    ["card.cvv", "12", "card.cvv: must be 3-4 digits"],
    ["card.cvv", "12345", "card.cvv: must be 3-4 digits"],
    ["billing.email", "nope", "billing.email: must be a valid email address"],
    ["billing.phone", "+356", "billing.phone: must be at least 5 characters"],
    ["billing.country", "MLT", "billing.country: must be an ISO 3166-1 alpha-2 code"],
    ["billing.country", "US", "billing.state: is required for US and CA addresses"],
    ["billing.country", "ca", "billing.state: is required for US and CA addresses"],
    ["billing.ip", "::1", "billing.ip: must be an IPv4 address"],
    ["billing.dateOfBirth", "1990-13-01", "billing.dateOfBirth: must be a real date"],
    ["billing.gender", "X", 'billing.gender: must be "M" or "F"'],
    ["deviceFingerprint", "f".repeat(129), "deviceFingerprint: must be at most 128 characters"],
  ])("%s = %j", async (path, value, message) => {
    const answer = await pay(withPath(seedPayment, path, value));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ data: null, error: { status: 400, name: "INVALID_REQUEST", message } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(0);
  });

  it("stored_card requires storedCardId; US with a state is fine; values are uppercased", async () => {
    const { card: _card, ...noCard } = seedPayment;
    expect((await pay({ ...noCard, paymentMethod: "stored_card" })).body.error?.message).toBe("storedCardId: is required when paymentMethod is stored_card");
    const answer = await pay({ ...seedPayment, currency: "usd", billing: { ...seedPayment.billing, country: "us", state: "NY", ip: "203.0.113.7" } }, "pay_us");
    expect(answer.status).toBe(201);
    expect(answer.body.data).toMatchObject({ currency: "USD", status: "captured" });
  });

  it("requires JSON, a JSON object and an Idempotency-Key", async () => {
    expect((await call("POST", "/v1/payments", { body: seedPayment })).body.error?.message).toBe(
      "Idempotency-Key: header is required (at most 255 characters)",
    );
    expect((await call("POST", "/v1/payments", { body: "{nope", idempotencyKey: "k" })).body.error?.message).toBe("body: must be valid JSON");
    expect((await call("POST", "/v1/payments", { body: "[1]", idempotencyKey: "k" })).body.error?.message).toBe("body: must be a JSON object");
    const form = await call("POST", "/v1/payments", {
      body: "amount=1",
      idempotencyKey: "k",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(form.body.error).toMatchObject({ name: "INVALID_REQUEST", message: "Content-Type: must be application/json" });
    expect((await call("GET", "/v1/payments")).body.error?.message).toBe("merchantRef: query parameter is required");
  });
});

describe("idempotency", () => {
  it("same key + same body returns the original answer and creates one payment", async () => {
    const first = await pay(seedPayment, "pay_same");
    const again = await pay({ ...seedPayment, billing: { ...seedPayment.billing } }, "pay_same");
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });

  it("same key + same body while the first is still in flight waits for it", async () => {
    const hold = sandbox.holdNext("POST /v1/payments");
    const first = pay(seedPayment, "pay_flight");
    await hold.reached;
    const second = pay(seedPayment, "pay_flight");
    const conflicting = await pay({ ...seedPayment, amount: "1.00" }, "pay_flight");
    expect(conflicting.body.error?.name).toBe("DUPLICATE_REQUEST");
    hold.release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });

  it("same key + different body is DUPLICATE_REQUEST", async () => {
    await pay(seedPayment, "pay_dup");
    const answer = await pay({ ...seedPayment, amount: "56.00" }, "pay_dup");
    expect(answer).toMatchObject({ status: 409, body: { data: null, error: { status: 409, name: "DUPLICATE_REQUEST" } } });
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });

  it("keys are per account and expire after 24 hours", async () => {
    await pay(seedPayment, "pay_ttl");
    await pay(seedPayment, "pay_ttl", OTHER_TEST_KEY);
    expect(sandbox.stats(OTHER_TEST_KEY).payments).toBe(1);
    clock = new Date(clock.getTime() + IDEMPOTENCY_KEY_TTL_MS - 1);
    expect((await pay({ ...seedPayment, amount: "1.00" }, "pay_ttl")).status).toBe(409);
    clock = new Date(clock.getTime() + 1);
    expect((await pay({ ...seedPayment, amount: "1.00" }, "pay_ttl")).status).toBe(201);
    expect(sandbox.stats(TEST_KEY).payments).toBe(2);
  });

  it("a provider error is not stored under the key: the retry may succeed", async () => {
    const body = withPath(seedPayment, "card.number", CARDS.providerErrorOnce);
    expect((await pay(body, "pay_flaky")).body.error).toMatchObject({ status: 502, name: "PROVIDER_ERROR" });
    expect((await pay(body, "pay_flaky")).status).toBe(201);
    expect(sandbox.stats(TEST_KEY).payments).toBe(1);
  });

  it("a decline is stored: replaying the key replays the decline", async () => {
    const body = withPath(seedPayment, "card.number", CARDS.declined);
    const first = await pay(body, "pay_declined");
    expect(first.body.error).toEqual({ status: 400, name: "CARD_DECLINED", message: "The card was declined by the issuing bank" });
    expect((await pay(body, "pay_declined")).body).toEqual(first.body);
    expect(sandbox.stats(TEST_KEY)).toMatchObject({ payments: 1, byStatus: { failed: 1 } });
  });
});

describe("refunds", () => {
  async function capturedPayment(amount = "55.00"): Promise<string> {
    return ((await pay({ ...seedPayment, amount }, `pay_${amount}`)).body.data as { id: string }).id;
  }
  const refund = (body: unknown, idempotencyKey: string) => call("POST", "/v1/refunds", { body, idempotencyKey });

  it("total refunded never exceeds the payment amount", async () => {
    const id = await capturedPayment("10.00");
    expect((await refund({ transactionId: id, amount: "3.33", currency: "EUR" }, "r1")).status).toBe(201);
    expect((await refund({ transactionId: id, amount: "6.67", currency: "eur" }, "r2")).status).toBe(201);
    const over = await refund({ transactionId: id, amount: "0.01", currency: "EUR" }, "r3");
    expect(over.body.error).toEqual({
      status: 400,
      name: "INVALID_REQUEST",
      message: "amount: exceeds the refundable amount of the payment (0.00 EUR remaining)",
    });
    expect(sandbox.stats(TEST_KEY).refunds).toBe(2);
  });

  it("a refund above the original amount is refused at once", async () => {
    const id = await capturedPayment("10.00");
    expect((await refund({ transactionId: id, amount: "10.01", currency: "EUR" }, "r_over")).body.error?.message).toBe(
      "amount: exceeds the refundable amount of the payment (10.00 EUR remaining)",
    );
  });

  it("concurrent refunds cannot together exceed the amount", async () => {
    const id = await capturedPayment("10.00");
    const answers = await Promise.all([1, 2, 3].map((n) => refund({ transactionId: id, amount: "4.00", currency: "EUR" }, `rc${n}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 400]);
    expect(sandbox.payments(TEST_KEY)[0]?.refundedAmount).toBe("8.00");
  });

  it.each([
    [
      "an unknown payment",
      { transactionId: "00000000-0000-4000-8000-000000000000", amount: "1.00", currency: "EUR" },
      "transactionId: no payment with this id",
    ],
    [
      "a reason over 500 characters",
      { transactionId: "00000000-0000-4000-8000-000000000000", amount: "1.00", currency: "EUR", reason: "r".repeat(501) },
      "reason: must be at most 500 characters",
    ],
    ["a transactionId that is not a UUID", { transactionId: "p1", amount: "1.00", currency: "EUR" }, "transactionId: must be a UUID"],
  ])("refuses %s", async (_label, body, message) => {
    expect((await refund(body, "r")).body.error).toEqual({ status: 400, name: "INVALID_REQUEST", message });
  });

  it("refuses refunds of failed and authorized payments", async () => {
    const failed = await pay(withPath(seedPayment, "card.number", CARDS.authorized), "pay_auth");
    const id = (failed.body.data as { id: string }).id;
    expect((await refund({ transactionId: id, amount: "1.00", currency: "EUR" }, "r_auth")).body.error?.message).toBe(
      "transactionId: only captured payments can be refunded (this payment is authorized)",
    );
  });
});

describe("3-D Secure challenge pages", () => {
  const returnUrl = "https://shop.example/return/opaque-ref-1";

  async function pending(card: string, key: string) {
    const answer = await pay({ ...withPath(seedPayment, "card.number", card), returnUrl }, key);
    expect(answer.status).toBe(201);
    return answer.body.data as { id: string; threeDsData: { redirectUrl: string; method: string; parameters: Record<string, string> } };
  }
  const status = async (id: string) => ((await call("GET", `/v1/payments/${id}`)).body.data as { status: string }).status;

  it("GET variant: a page with Approve and Fail; Approve captures and sends the browser to returnUrl", async () => {
    const payment = await pending(CARDS.threeDsGet, "p_get");
    const page = await fetch(payment.threeDsData.redirectUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<button type="submit" name="outcome" value="approve">Approve</button>');
    expect(html).toContain('<button type="submit" name="outcome" value="fail">Fail</button>');
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? "";
    const done = await fetch(new URL(action, sandbox.url), { method: "POST", body: new URLSearchParams({ outcome: "approve" }), redirect: "manual" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(returnUrl);
    expect(await status(payment.id)).toBe("captured");
    const twice = await fetch(new URL(action, sandbox.url), { method: "POST", body: new URLSearchParams({ outcome: "fail" }), redirect: "manual" });
    expect(twice.status).toBe(409);
    expect(await status(payment.id)).toBe("captured");
  });

  it("POST variant: PaReq and TermUrl are posted as a form; Fail marks the payment failed", async () => {
    const payment = await pending(CARDS.threeDsPost, "p_post");
    expect(payment.threeDsData.method).toBe("POST");
    const page = await fetch(payment.threeDsData.redirectUrl, { method: "POST", body: new URLSearchParams(payment.threeDsData.parameters) });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(`action="${payment.threeDsData.parameters.TermUrl}"`);
    const paRes = /name="PaRes" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const done = await fetch(payment.threeDsData.parameters.TermUrl ?? "", {
      method: "POST",
      body: new URLSearchParams({ PaRes: paRes, outcome: "fail" }),
      redirect: "manual",
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(returnUrl);
    expect((await call("GET", `/v1/payments/${payment.id}`)).body.data).toMatchObject({
      status: "failed",
      threeDsData: null,
      error: { name: "CARD_DECLINED" },
    });
  });

  it("refuses a POST challenge with a forged TermUrl or PaReq, and 3DS without returnUrl", async () => {
    const payment = await pending(CARDS.threeDsPost, "p_forged");
    const forged = await fetch(payment.threeDsData.redirectUrl, {
      method: "POST",
      body: new URLSearchParams({ ...payment.threeDsData.parameters, TermUrl: "https://evil.example/" }),
    });
    expect(forged.status).toBe(400);
    const badPaReq = await fetch(payment.threeDsData.redirectUrl, {
      method: "POST",
      body: new URLSearchParams({ ...payment.threeDsData.parameters, PaReq: "AAAA" }),
    });
    expect(badPaReq.status).toBe(400);
    const { returnUrl: _r, ...noReturn } = withPath(seedPayment, "card.number", CARDS.threeDsGet);
    expect((await pay(noReturn, "p_noreturn")).body.error?.message).toBe("returnUrl: is required when the payment needs 3-D Secure");
    expect(await status(payment.id)).toBe("pending_3ds");
  });
});

describe("webhooks", () => {
  let receiver: Server;
  let receiverUrl = "";
  let received: { headers: IncomingMessage["headers"]; body: string }[] = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.statusCode = failuresLeft > 0 ? 500 : 200;
        failuresLeft -= 1;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/accelebit`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  beforeEach(() => {
    received = [];
    failuresLeft = 0;
  });
  afterEach(() => sandbox.waitForWebhooks());

  it("delivers payment.captured signed with the account's secret, verifiable by the app", async () => {
    sandbox.configureWebhooks({ url: receiverUrl, secret: "whsec_one" }, TEST_KEY);
    const payment = (await pay(seedPayment, "p_wh")).body.data as { id: string };
    await sandbox.waitForWebhooks();
    expect(received).toHaveLength(1);
    const [delivery] = received;
    const verified = verifyAccelebitWebhook({ rawBody: delivery?.body ?? "", headers: delivery?.headers ?? {}, secret: "whsec_one", now: clock });
    expect(verified).toMatchObject({ ok: true, event: { type: "payment.captured", objectId: payment.id, paymentId: payment.id, status: "captured" } });
    expect(verifyAccelebitWebhook({ rawBody: delivery?.body ?? "", headers: delivery?.headers ?? {}, secret: "whsec_other" })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("retries with backoff while the receiver fails; every attempt carries the same event id", async () => {
    failuresLeft = 2;
    sandbox.configureWebhooks({ url: receiverUrl, secret: "whsec_one" }, TEST_KEY);
    await pay(withPath(seedPayment, "card.number", CARDS.declined), "p_wh_fail");
    await sandbox.waitForWebhooks();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => (JSON.parse(r.body) as { id: string }).id)).size).toBe(1);
    expect(sandbox.webhookDeliveries()).toMatchObject([
      { type: "payment.failed", state: "delivered", attempts: [{ status: 500 }, { status: 500 }, { status: 200 }] },
    ]);
  });

  it("gives up after the bounded attempts", async () => {
    failuresLeft = 100;
    sandbox.configureWebhooks({ url: receiverUrl, secret: "whsec_one" }, TEST_KEY);
    await pay(seedPayment, "p_wh_down");
    await sandbox.waitForWebhooks();
    expect(sandbox.webhookDeliveries()).toMatchObject([{ state: "failed" }]);
    expect(received).toHaveLength(4);
  });

  it("held: events wait until released — late, newest first, only some, or twice — and answerChallenge settles a challenge at the bank", async () => {
    sandbox.configureWebhooks({ url: receiverUrl, secret: "whsec_one" }, TEST_KEY);
    sandbox.setBehaviour({ webhooks: "held" });
    try {
      const first = (await pay(withPath(seedPayment, "card.number", CARDS.declined), "p_held_1")).body.error;
      expect(first?.name).toBe("CARD_DECLINED");
      const created = await pay({ ...withPath(seedPayment, "card.number", CARDS.threeDsGet), returnUrl: "https://shop.example/r" }, "p_held_2");
      const threeDs = created.body.data as { id: string };
      expect(sandbox.answerChallenge(TEST_KEY, threeDs.id, "approve")).toBe(true);
      expect(sandbox.answerChallenge(TEST_KEY, threeDs.id, "fail")).toBe(false); // answered already
      await sandbox.waitForWebhooks();
      expect(received).toHaveLength(0);
      const held = sandbox.heldWebhooks();
      expect(held.map((h) => h.type)).toEqual(["payment.failed", "payment.captured"]);

      expect(await sandbox.releaseWebhooks({ eventIds: [held[1]!.eventId], twice: true })).toBe(1);
      expect(received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(["payment.captured", "payment.captured"]);
      expect(new Set(received.map((r) => (JSON.parse(r.body) as { id: string }).id)).size).toBe(1);
      expect(await sandbox.releaseWebhooks({ order: "lifo" })).toBe(1);
      expect((JSON.parse(received.at(-1)!.body) as { type: string }).type).toBe("payment.failed");
      expect(sandbox.heldWebhooks()).toEqual([]);
    } finally {
      sandbox.setBehaviour({ webhooks: "immediate" });
    }
  });

  it("the 3-D Secure outcome is delivered once the challenge is answered, not before", async () => {
    sandbox.configureWebhooks({ url: receiverUrl, secret: "whsec_one" }, TEST_KEY);
    const created = await pay({ ...withPath(seedPayment, "card.number", CARDS.threeDsGet), returnUrl: "https://shop.example/r" }, "p_wh_3ds");
    const payment = created.body.data as { id: string; threeDsData: { redirectUrl: string } };
    await sandbox.waitForWebhooks();
    expect(received).toHaveLength(0);
    await fetch(`${payment.threeDsData.redirectUrl}/complete`, { method: "POST", body: new URLSearchParams({ outcome: "approve" }), redirect: "manual" });
    await sandbox.waitForWebhooks();
    const events = received.map((r) => verifyAccelebitWebhook({ rawBody: r.body, headers: r.headers, secret: "whsec_one", now: clock }));
    expect(events).toMatchObject([{ ok: true, event: { type: "payment.captured", paymentId: payment.id, status: "captured" } }]);
  });

  it("refund.created is delivered; the admin endpoint configures a key's URL; other accounts get nothing", async () => {
    const admin = await call("POST", "/__sandbox/webhooks", { body: { url: receiverUrl, secret: "whsec_admin" } });
    expect(admin.status).toBe(200);
    const id = ((await pay(seedPayment, "p_r")).body.data as { id: string }).id;
    await call("POST", "/v1/refunds", { body: { transactionId: id, amount: "5.00", currency: "EUR" }, idempotencyKey: "r_wh" });
    await sandbox.waitForWebhooks();
    const types = received.map((r) => verifyAccelebitWebhook({ rawBody: r.body, headers: r.headers, secret: "whsec_admin", now: clock }));
    expect(types.map((t) => (t.ok ? `${t.event.type}:${t.event.paymentId}` : t.reason))).toEqual([`payment.captured:${id}`, `refund.created:${id}`]);

    received = [];
    await call("POST", "/__sandbox/webhooks", { body: { url: receiverUrl, secret: "whsec_two" }, key: OTHER_TEST_KEY });
    await pay(seedPayment, "p_other", OTHER_TEST_KEY);
    await sandbox.waitForWebhooks();
    expect(received.map((r) => verifyAccelebitWebhook({ rawBody: r.body, headers: r.headers, secret: "whsec_two", now: clock }).ok)).toEqual([true]);
  });
});

describe("GET /v1/payments?merchantRef= in each reading the documents allow", () => {
  it("answers the newest payment (single, newest), the oldest, or the list newest first", async () => {
    const declined = (await pay({ ...withPath(seedPayment, "card.number", CARDS.declined), merchantRef: "shared-ref" }, "ref_1")).status;
    expect(declined).toBe(400);
    const captured = (await pay({ ...seedPayment, merchantRef: "shared-ref" }, "ref_2")).body.data as { id: string };
    const lookup = async (reading: "single" | "newest" | "oldest" | "list") => {
      sandbox.setBehaviour({ merchantRefLookup: reading });
      return (await call("GET", "/v1/payments?merchantRef=shared-ref")).body.data as { id: string; status: string } | { status: string }[];
    };
    expect(await lookup("single")).toMatchObject({ id: captured.id, status: "captured" });
    expect(await lookup("newest")).toMatchObject({ id: captured.id, status: "captured" });
    expect(await lookup("oldest")).toMatchObject({ status: "failed" });
    expect(((await lookup("list")) as { status: string }[]).map((p) => p.status)).toEqual(["captured", "failed"]);
    sandbox.setBehaviour({ merchantRefLookup: "single" });
  });
});

describe("/__sandbox/ control endpoints", () => {
  it("faults can be set, read and cleared over HTTP; bad settings are refused", async () => {
    const set = await call("POST", "/__sandbox/faults", { body: { rateLimit: { count: 1, retryAfterSeconds: 3 } } });
    expect(set.body.data).toEqual({ rateLimit: { count: 1, retryAfterSeconds: 3 } });
    const limited = await call("GET", "/v1/payments?merchantRef=x");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await call("GET", "/v1/payments?merchantRef=x")).status).toBe(404);
    expect((await call("POST", "/__sandbox/faults", { body: { rateLimit: { count: -1 } } })).status).toBe(400);
    expect((await call("POST", "/__sandbox/faults", { body: { typo: {} } })).status).toBe(400);
    expect((await call("DELETE", "/__sandbox/faults")).body.data).toEqual({});
  });

  it("a share of 5xx follows the injected random source", async () => {
    const seeded = await startSandbox({
      random: (() => {
        let n = 0;
        return () => [0.1, 0.9, 0.2, 0.8][n++ % 4] ?? 0;
      })(),
      faults: { serverErrors: { rate: 0.5, status: 503 } },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${seeded.url}/v1/payments?merchantRef=x`, { headers: { "X-API-Key": TEST_KEY } })).status);
      expect(statuses).toEqual([503, 404, 503, 404]);
    } finally {
      await seeded.close();
    }
  });

  it("stats per account, behaviour switches and reset", async () => {
    await pay(seedPayment, "p_stats");
    expect((await call("GET", "/__sandbox/stats")).body.data).toEqual({
      mode: "test",
      customers: 1,
      payments: 1,
      refunds: 0,
      byStatus: { captured: 1, authorized: 0, pending_3ds: 0, failed: 0 },
    });
    expect((await call("GET", "/__sandbox/stats", { key: null })).body.data).toEqual([
      expect.objectContaining({ account: "smtgw_sk_test_…_one", payments: 1 }),
    ]);
    expect((await call("POST", "/__sandbox/behaviour", { body: { declineStyle: "error_402" } })).body.data).toEqual({
      declineStyle: "error_402",
      merchantRefLookup: "single",
      webhooks: "immediate",
    });
    expect((await pay(withPath(seedPayment, "card.number", CARDS.declined), "p_402")).status).toBe(402);
    await call("POST", "/__sandbox/reset");
    expect(sandbox.stats(TEST_KEY).payments).toBe(0);
  });
});
