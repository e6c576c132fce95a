import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ACCELEBIT_WEBHOOK_SIGNATURE_HEADER, verifyAccelebitWebhook, webhookDedupKey } from "~/accelebit";

const secret = "whsec_shop_one";
const body = JSON.stringify({ id: "evt_1", type: "payment.captured", data: { id: "f47ac10b-58cc-4372-a567-0e02b2c3d479", status: "captured" } });
// Computed independently of the module under test.
const sign = (raw: string, key = secret) => createHmac("sha256", key).update(raw).digest("hex");

describe("verifyAccelebitWebhook", () => {
  it("accepts a body signed with the shop's secret and extracts the event", () => {
    const result = verifyAccelebitWebhook({ rawBody: body, headers: { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(body) }, secret });
    expect(result).toEqual({
      ok: true,
      event: {
        id: "evt_1",
        type: "payment.captured",
        objectType: "payment",
        objectId: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        paymentId: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        status: "captured",
        merchantRef: null,
        createdAt: null,
      },
    });
  });

  it("reads the header case-insensitively, from Headers or a plain object, with or without sha256=", () => {
    expect(verifyAccelebitWebhook({ rawBody: body, headers: new Headers({ "X-Accelebit-Signature": sign(body) }), secret }).ok).toBe(true);
    expect(verifyAccelebitWebhook({ rawBody: body, headers: { "X-ACCELEBIT-SIGNATURE": `sha256=${sign(body).toUpperCase()}` }, secret }).ok).toBe(true);
    expect(verifyAccelebitWebhook({ rawBody: Buffer.from(body), headers: { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: [sign(body)] }, secret }).ok).toBe(true);
  });

  it.each([
    ["another shop's secret", { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(body, "whsec_shop_two") }, body, "bad_signature"],
    ["a changed body", { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(body) }, body.replace("captured", "failed"), "bad_signature"],
    ["no signature", {}, body, "missing_signature"],
    ["a signature that is not hex", { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: "not-a-signature" }, body, "malformed_signature"],
    ["a truncated signature", { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(body).slice(0, 63) }, body, "malformed_signature"],
  ])("refuses %s", (_label, headers, rawBody, reason) => {
    expect(verifyAccelebitWebhook({ rawBody, headers, secret })).toEqual({ ok: false, reason });
  });

  it("refuses when the shop has no signing secret", () => {
    expect(verifyAccelebitWebhook({ rawBody: body, headers: { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(body, "") }, secret: "" })).toEqual({
      ok: false,
      reason: "missing_secret",
    });
  });

  it.each([
    ["not JSON", "{nope"],
    ["no event name", JSON.stringify({ id: "evt_1", data: { id: "p1" } })],
    ["no object id", JSON.stringify({ type: "payment.captured", data: {} })],
  ])("refuses a signed payload with %s", (_label, raw) => {
    expect(verifyAccelebitWebhook({ rawBody: raw, headers: { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(raw) }, secret })).toEqual({
      ok: false,
      reason: "malformed_payload",
    });
  });

  it("accepts `event` for `type`, nested data.object, and refund events pointing at their payment", () => {
    const raw = JSON.stringify({ event: "refund.created", data: { object: { id: "r1", transactionId: "p1" } } });
    const result = verifyAccelebitWebhook({ rawBody: raw, headers: { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(raw) }, secret });
    expect(result).toEqual({
      ok: true,
      event: { id: null, type: "refund.created", objectType: "refund", objectId: "r1", paymentId: "p1", status: null, merchantRef: null, createdAt: null },
    });
  });
});

describe("replay window", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const hours = (n: number) => new Date(now.getTime() - n * 3600_000);
  const signed = (payload: Record<string, unknown>) => {
    const raw = JSON.stringify({ id: "evt_w", type: "payment.captured", data: { id: "p1" }, ...payload });
    return verifyAccelebitWebhook({ rawBody: raw, headers: { [ACCELEBIT_WEBHOOK_SIGNATURE_HEADER]: sign(raw) }, secret, now });
  };

  it.each([
    ["an hour old", { createdAt: hours(1).toISOString() }],
    ["at the 72-hour edge", { createdAt: hours(72).toISOString() }],
    ["dated 4 minutes ahead (clock skew)", { createdAt: new Date(now.getTime() + 4 * 60_000).toISOString() }],
    ["dated in Unix seconds", { created: Math.floor(hours(2).getTime() / 1000) }],
    ["dated as created_at", { created_at: hours(3).toISOString() }],
  ])("accepts a signed event %s", (_label, payload) => {
    expect(signed(payload).ok).toBe(true);
  });

  it.each([
    ["older than 72 hours", { createdAt: new Date(hours(72).getTime() - 1000).toISOString() }],
    ["a month old, in Unix seconds", { created: Math.floor(hours(24 * 30).getTime() / 1000) }],
    ["dated more than 5 minutes ahead", { createdAt: new Date(now.getTime() + 6 * 60_000).toISOString() }],
  ])("refuses a signed event %s", (_label, payload) => {
    expect(signed(payload)).toEqual({ ok: false, reason: "outside_replay_window" });
  });

  it("refuses a date it cannot read as a malformed payload, and keeps the date it read", () => {
    expect(signed({ createdAt: "yesterday" })).toEqual({ ok: false, reason: "malformed_payload" });
    const result = signed({ createdAt: hours(1).toISOString() });
    expect(result.ok && result.event.createdAt?.toISOString()).toBe(hours(1).toISOString());
  });

  it("an event without a date is accepted (deduplication by id still applies)", () => {
    const result = signed({});
    expect(result.ok && result.event.createdAt).toBeNull();
  });
});

describe("webhookDedupKey", () => {
  it("uses the event id, so retries and replays of one delivery collapse", () => {
    const event = {
      id: "evt_1",
      type: "payment.captured",
      objectType: "payment",
      objectId: "p1",
      paymentId: "p1",
      status: "captured",
      createdAt: null,
    } as const;
    expect(webhookDedupKey(event)).toBe("accelebit:event:evt_1");
    expect(webhookDedupKey({ ...event })).toBe(webhookDedupKey(event));
  });

  it("falls back to type + object + status without an event id", () => {
    const event = { id: null, type: "payment.captured", objectType: "payment", objectId: "p1", paymentId: "p1", status: "captured", createdAt: null } as const;
    expect(webhookDedupKey(event)).toBe("accelebit:payment.captured:p1:captured");
    expect(webhookDedupKey({ ...event, type: "payment.failed", status: "failed" })).not.toBe(webhookDedupKey(event));
  });
});
