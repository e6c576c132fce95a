/**
 * Webhooks end to end: registered through the API, delivered by the sandbox to a local
 * receiver, verified over the raw bytes by the adapter. Retries, duplicates, reordering, late
 * and forged deliveries, and every delivery-shape reading.
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signAccrueWebhook, verifyAccrueWebhook, webhookDedupKey, type AccrueCredentials } from "~/accrue";
import { listen } from "../simulators/shared/listen";
import type { AccrueSandbox } from "../simulators/accrue/server";
import { clientFor, MAGIC_PHONES, MINUTE, shopperIntent, startSandbox } from "./support";

interface Received {
  raw: Buffer;
  signature: string | undefined;
  contentType: string | undefined;
}

let sandbox: AccrueSandbox;
let merchant: AccrueCredentials;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
/** Statuses the receiver answers, in order; 200 once exhausted. */
let answers: number[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        raw: Buffer.concat(chunks),
        signature: req.headers["x-accrue-signature"] as string | undefined,
        contentType: req.headers["content-type"],
      });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  receiverUrl = (await listen(receiver, 0, "127.0.0.1")).url;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  sandbox.reset();
  merchant = sandbox.createMerchant();
  received = [];
  answers = [];
});

const client = () => clientFor(sandbox.url, merchant).client;

async function register(topics: string[] = ["*"], path = "/hook") {
  const created = await client().createWebhook({ name: "app", url: `${receiverUrl}${path}`, topics: topics as never });
  if (!created.ok) throw new Error(created.error.message);
  return created.value;
}

function verified(secret: string) {
  return received.map((delivery) => {
    const result = verifyAccrueWebhook(delivery.raw, delivery.signature, secret);
    if (!result.ok) throw new Error(`delivery did not verify: ${result.error.reason}`);
    return result.value;
  });
}

async function payAndRefund() {
  const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 2000);
  const authorized = await client().authorizePaymentIntent(intentId, 2000);
  const paymentId = authorized.ok ? authorized.value.payment.id : "";
  await client().capturePayment(paymentId, 2000);
  const refund = await client().refundPayment(paymentId, 500, { knownRefundIds: [], idempotencyKey: "r1" });
  await sandbox.waitForWebhooks();
  return { intentId, paymentId, refundId: refund.ok ? refund.value.refund.id : "" };
}

describe("signed deliveries", () => {
  it("every state change arrives signed with the registered secret, as the exact bytes the sandbox recorded", async () => {
    const { secret } = await register();
    const { intentId, paymentId, refundId } = await payAndRefund();
    const events = verified(secret);
    expect(events.map((e) => [e.event.topic, e.knownTopic])).toEqual([
      ["PaymentIntentCreated", true],
      ["PaymentCreated", true],
      ["PaymentIntentUpdated", true],
      ["PaymentUpdated", true],
      ["RefundCreated", true],
    ]);
    expect(events.map((e) => e.event.resources)).toEqual([
      [{ type: "PaymentIntent", id: intentId }],
      [],
      [{ type: "PaymentIntent", id: intentId }],
      [],
      [{ type: "Refund", id: refundId }],
    ]);
    expect(paymentId).not.toBe("");
    const deliveries = sandbox.webhookDeliveries();
    expect(deliveries.map((d) => d.body)).toEqual(received.map((r) => r.raw.toString("utf8")));
    expect(received.every((r) => r.contentType === "application/vnd.api+json")).toBe(true);
  });

  it("only subscribed topics are delivered; a disabled webhook gets nothing", async () => {
    const refunds = await register(["RefundCreated", "RefundUpdated"], "/refunds");
    const disabled = await register(["*"], "/disabled");
    await client().updateWebhook(disabled.webhook.id, { enabled: false });
    await payAndRefund();
    expect(sandbox.webhookDeliveries().map((d) => [d.webhookId, d.topic])).toEqual([[refunds.webhook.id, "RefundCreated"]]);
  });

  it("a failing receiver gets retries with the same event id and the same bytes until it answers 2xx", async () => {
    const { secret } = await register(["PaymentIntentCreated"]);
    answers = [500, 503];
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.raw.toString("hex"))).size).toBe(1);
    expect(sandbox.webhookDeliveries()).toMatchObject([{ state: "delivered", attempts: [{ status: 500 }, { status: 503 }, { status: 200 }] }]);
    expect(new Set(verified(secret).map((v) => webhookDedupKey(v.event))).size).toBe(1);
  });

  it("a receiver that never answers 2xx: the sandbox gives up after its attempts", async () => {
    await register(["PaymentIntentCreated"]);
    answers = [500, 500, 500, 500];
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    expect(sandbox.webhookDeliveries()).toMatchObject([{ state: "failed", attempts: [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }] }]);
  });
});

describe("delivery faults", () => {
  it("duplicates carry the same event id: one dedupe key", async () => {
    const { secret } = await register(["PaymentIntentCreated"]);
    sandbox.setFaults({ webhookDuplicate: { copies: 2 } });
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    const events = verified(secret);
    expect(events).toHaveLength(3);
    expect(new Set(events.map((e) => webhookDedupKey(e.event))).size).toBe(1);
  });

  it("out of order: a batch is delivered newest first", async () => {
    const { secret } = await register(["PaymentIntentCreated"]);
    sandbox.setFaults({ webhookOutOfOrder: { batch: 3 } });
    const ids = [1, 2, 3].map((n) => shopperIntent(sandbox, merchant, MAGIC_PHONES.approved, 100 * n, `r${n}`));
    await sandbox.waitForWebhooks();
    expect(verified(secret).map((e) => e.event.resources[0]?.id)).toEqual([...ids].reverse());
  });

  it("late: held until the sandbox clock passes, then delivered", async () => {
    await register(["PaymentIntentCreated"]);
    sandbox.setFaults({ webhookLate: { ms: 10 * MINUTE } });
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    expect(received).toEqual([]);
    expect(sandbox.webhookDeliveries()).toMatchObject([{ state: "held" }]);
    sandbox.advanceClock(10 * MINUTE);
    await sandbox.waitForWebhooks();
    expect(received).toHaveLength(1);
  });

  it("a forged signature is rejected before the body is read", async () => {
    const { secret } = await register(["PaymentIntentCreated"]);
    sandbox.setFaults({ webhookBadSignature: { count: 1 } });
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    const [delivery] = received;
    expect(verifyAccrueWebhook(delivery?.raw ?? "", delivery?.signature, secret)).toEqual({
      ok: false,
      error: { reason: "bad_signature", message: "The signature does not match the body" },
    });
  });
});

describe("delivery shape readings", () => {
  it.each(["bare", "wrapped"] as const)("body %s: verified and read the same", async (deliveryShape) => {
    sandbox.setBehaviour({ deliveryShape });
    const { secret } = await register(["PaymentIntentCreated"]);
    const intentId = shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    expect(verified(secret).map((v) => v.event)).toMatchObject([{ topic: "PaymentIntentCreated", resources: [{ type: "PaymentIntent", id: intentId }] }]);
    expect("data" in JSON.parse(received[0]?.raw.toString("utf8") ?? "{}")).toBe(deliveryShape === "wrapped");
  });

  it("signed over a re-serialisation: the raw bytes do not match, the compact form does", async () => {
    sandbox.setBehaviour({ signatureOver: "reserialized" });
    const { secret } = await register(["PaymentIntentCreated"]);
    shopperIntent(sandbox, merchant, MAGIC_PHONES.approved);
    await sandbox.waitForWebhooks();
    const [delivery] = received;
    expect(signAccrueWebhook(delivery?.raw ?? "", secret)).not.toBe(delivery?.signature);
    expect(verified(secret)).toHaveLength(1);
  });

  it.each([
    ["empty", 0],
    ["payment", 1],
  ] as const)("payment topics' included %s", async (paymentWebhookIncluded, count) => {
    sandbox.setBehaviour({ paymentWebhookIncluded });
    const { secret } = await register(["PaymentCreated"]);
    await payAndRefund();
    const [event] = verified(secret);
    expect(event?.event.resources).toHaveLength(count);
    if (count) expect(event?.event.resources[0]?.type).toBe("Payment");
  });
});

describe("verifyAccrueWebhook", () => {
  const secret = "s".repeat(64);
  const body = JSON.stringify({
    id: "evt-1",
    type: "WebhookEvent",
    attributes: { topic: "RefundUpdated", createdAt: "2026-01-01T00:00:00Z" },
    included: [{ id: "rf-1", type: "Refund", attributes: { status: "Pending" } }],
  });
  const sign = (text: string, key = secret) => createHmac("sha256", key).update(text).digest("hex");

  it("accepts the hex digest, with or without sha256=, and bytes as a Uint8Array", () => {
    const expected = {
      ok: true,
      value: {
        knownTopic: true,
        event: { id: "evt-1", topic: "RefundUpdated", createdAt: "2026-01-01T00:00:00Z", resources: [{ id: "rf-1", type: "Refund" }] },
      },
    };
    expect(verifyAccrueWebhook(body, sign(body), secret)).toEqual(expected);
    expect(verifyAccrueWebhook(body, `sha256=${sign(body).toUpperCase()}`, secret)).toEqual(expected);
    expect(verifyAccrueWebhook(new TextEncoder().encode(body), sign(body), secret)).toEqual(expected);
  });

  it("accepts the previous secret during a re-registration", () => {
    expect(verifyAccrueWebhook(body, sign(body, "old-secret"), [secret, "old-secret"]).ok).toBe(true);
  });

  it.each([
    ["no header", undefined, "missing_signature"],
    ["an empty header", "", "missing_signature"],
    ["a short digest", "abcd", "missing_signature"],
    ["another secret's digest", sign(body, "other"), "bad_signature"],
    ["a digest of another body", sign(`${body} `), "bad_signature"],
  ] as const)("rejects %s", (_label, header, reason) => {
    expect(verifyAccrueWebhook(body, header, secret)).toMatchObject({ ok: false, error: { reason } });
  });

  it("a correctly signed body that is not an event is malformed; an unknown topic is kept but flagged", () => {
    expect(verifyAccrueWebhook("not json", sign("not json"), secret)).toMatchObject({ ok: false, error: { reason: "malformed" } });
    expect(verifyAccrueWebhook('{"hello":1}', sign('{"hello":1}'), secret)).toMatchObject({ ok: false, error: { reason: "malformed" } });
    const unknown = JSON.stringify({ id: "evt-2", type: "WebhookEvent", attributes: { topic: "PayoutCreated" }, included: [] });
    expect(verifyAccrueWebhook(unknown, sign(unknown), secret)).toMatchObject({ ok: true, value: { knownTopic: false, event: { topic: "PayoutCreated" } } });
  });

  it("an empty secret never verifies anything", () => {
    expect(verifyAccrueWebhook(body, createHmac("sha256", "").update(body).digest("hex"), "")).toMatchObject({ ok: false, error: { reason: "bad_signature" } });
  });
});
