/**
 * The vendor's own examples (seeds 001–003): the sandbox accepts the printed requests and
 * answers in the printed shapes, and the client reads the printed responses.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccelebitSandbox } from "../simulators/accelebit/server";
import {
  ALL_EXAMPLES,
  ERROR_001,
  LOOKUP_001,
  PAYMENT_3DS_001,
  PAYMENT_CAPTURED_002,
  PAYMENT_REQUEST_001,
  PAYMENT_REQUEST_002,
  REFUND_REQUEST_003,
  REFUND_RESPONSE_003,
  SEED_DIR,
} from "./fixtures/seed-examples";
import { CARDS, gatewayFor, startSandbox } from "./support";

const squash = (text: string) => text.replace(/\s+/g, "");

/** The JSON type of every leaf, so shapes compare without comparing generated values. */
function shapeOf(value: unknown): unknown {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.skipIf(!existsSync(SEED_DIR))("the fixtures are the seeds' own text", () => {
  it.each(Object.entries(ALL_EXAMPLES))("%s", (_name, example) => {
    expect(squash(readFileSync(new URL(example.file, SEED_DIR), "utf8"))).toContain(squash(example.text));
  });
});

describe("the sandbox against the seeds' examples", () => {
  let sandbox: AccelebitSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const post = (path: string, body: string, apiKey: string, idempotencyKey: string) =>
    fetch(`${sandbox.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": apiKey, "Idempotency-Key": idempotencyKey },
      body,
    });

  it.each([PAYMENT_REQUEST_001, PAYMENT_REQUEST_002])(
    "accepts the payment request of $file and answers 201 in the documented captured shape",
    async (example) => {
      const response = await post("/v1/payments", example.text, example.apiKey, example.idempotencyKey);
      const body = (await response.json()) as { data: Record<string, unknown> };
      const documented = JSON.parse(PAYMENT_CAPTURED_002.text) as { data: Record<string, unknown> };
      expect(response.status).toBe(201);
      expect(shapeOf(body)).toEqual(shapeOf(documented));
      expect(body.data).toMatchObject({ status: "captured", amount: "55.00", currency: "EUR", provider: "everest", threeDsRequired: false, threeDsData: null });
      expect(body.data.id).toMatch(UUID);
      expect(new Date(String(body.data.createdAt)).toISOString()).toBe(body.data.createdAt);
    },
  );

  it("finds it again with the lookup of seed 001", async () => {
    const created = (await (await post("/v1/payments", PAYMENT_REQUEST_001.text, PAYMENT_REQUEST_001.apiKey, "k")).json()) as { data: { id: string } };
    const response = await fetch(`${sandbox.url}${LOOKUP_001.path}`, { headers: { "X-API-Key": PAYMENT_REQUEST_001.apiKey } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ data: { id: created.data.id, status: "captured", merchantRef: "order_98765", error: null } });
  });

  it("answers a 3-D Secure payment in the shape of seed 001's example", async () => {
    const request = JSON.parse(PAYMENT_REQUEST_001.text) as { card: { number: string } };
    request.card.number = CARDS.threeDsPost;
    const body = (await (await post("/v1/payments", JSON.stringify(request), PAYMENT_REQUEST_001.apiKey, "k3")).json()) as { data: Record<string, unknown> };
    const documented = JSON.parse(PAYMENT_3DS_001.text) as { data: Record<string, unknown> };
    // Every documented field, with its type; the sandbox adds the fields of the captured example.
    expect(shapeOf(body)).toMatchObject(shapeOf(documented) as object);
    expect(body.data).toMatchObject({ status: "pending_3ds", threeDsRequired: true, threeDsData: { method: "POST" } });
    const { parameters } = body.data.threeDsData as { parameters: Record<string, string> };
    expect(parameters.TermUrl).toMatch(new RegExp(`^${sandbox.url}/v1/3ds/callback/[0-9a-f-]+$`));
  });

  it("answers a decline with seed 001's error envelope, exactly", async () => {
    const request = JSON.parse(PAYMENT_REQUEST_001.text) as { card: { number: string } };
    request.card.number = CARDS.declined;
    const response = await post("/v1/payments", JSON.stringify(request), PAYMENT_REQUEST_001.apiKey, "kd");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(JSON.parse(ERROR_001.text));
  });

  it("accepts the refund request of seed 003 (against a real payment id) and answers in its shape", async () => {
    const created = (await (await post("/v1/payments", PAYMENT_REQUEST_001.text, PAYMENT_REQUEST_001.apiKey, "kr")).json()) as { data: { id: string } };
    const refundBody = REFUND_REQUEST_003.text.replace("f47ac10b-58cc-4372-a567-0e02b2c3d479", created.data.id);
    const response = await post("/v1/refunds", refundBody, PAYMENT_REQUEST_001.apiKey, REFUND_REQUEST_003.idempotencyKey);
    const body = (await response.json()) as { data: Record<string, unknown> };
    expect(response.status).toBe(201);
    expect(shapeOf(body)).toEqual(shapeOf(JSON.parse(REFUND_RESPONSE_003.text)));
    expect(body.data).toMatchObject({
      transactionId: created.data.id,
      amount: "55.00",
      currency: "EUR",
      status: "created",
      reason: "Customer requested refund",
    });
  });
});

describe("the client reads the seeds' printed responses", () => {
  const replying = (status: number, text: string) =>
    gatewayFor("https://api.gateway.accelebit.com", { fetch: async () => new Response(text, { status }) }).gateway.forKey("smtgw_sk_test_your_secret_key");
  const payment = JSON.parse(PAYMENT_REQUEST_001.text) as Record<string, unknown> & { billing: Record<string, unknown> };
  const input = { ...payment, billing: { ...payment.billing, ip: "203.0.113.7" } } as Parameters<ReturnType<typeof replying>["createPayment"]>[0];

  it("the captured example", async () => {
    expect(await replying(201, PAYMENT_CAPTURED_002.text).createPayment(input, { idempotencyKey: "pay_abc123" })).toEqual({
      ok: true,
      value: JSON.parse(PAYMENT_CAPTURED_002.text).data,
    });
  });

  it("the 3-D Secure example, with its fields that the captured example has but this one omits", async () => {
    expect(await replying(201, PAYMENT_3DS_001.text).createPayment(input, { idempotencyKey: "pay_3ds" })).toMatchObject({
      ok: true,
      value: {
        status: "pending_3ds",
        threeDsData: { method: "POST", parameters: { PaReq: "base64encodeddata...", TermUrl: "https://api.gateway.accelebit.com/v1/3ds/callback/abc123" } },
      },
    });
  });

  it("the error example", async () => {
    expect(await replying(400, ERROR_001.text).createPayment(input, { idempotencyKey: "pay_err" })).toMatchObject({
      ok: false,
      error: { name: "CARD_DECLINED", category: "terminal", httpStatus: 400, message: "The card was declined by the issuing bank" },
    });
  });

  it("the refund example", async () => {
    const refund = JSON.parse(REFUND_REQUEST_003.text) as { transactionId: string; amount: string; currency: string; reason: string };
    expect(await replying(201, REFUND_RESPONSE_003.text).createRefund(refund, { idempotencyKey: "refund_abc123" })).toEqual({
      ok: true,
      value: JSON.parse(REFUND_RESPONSE_003.text).data,
    });
  });
});
