import { randomBytes } from "node:crypto";
import { db, isUniqueViolation } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { jobRowOf } from "~/jobs";
import { cardForCharge, sealCardData } from "~/payments/card/charge.server";
import { newId, shopForIntake, storeNewSession } from "~/payments/intake-store.server";
import type { CardSessionBody } from "~/payments/card/request";
import { enqueueFinalize } from "~/payments/finalize.server";
import type { PaymentGateway } from "~/payments/gateway/port";
import { paymentSessionRow } from "~/payments/session-row";
import type { SessionHeaders } from "~/payments/session-request";
import type { SessionAnswer } from "~/payments/session-route.server";
import { eventRow, recordEvent } from "~/payments/timeline.server";

/**
 * Stores a credit-card payment session (keyed by Shopify's id) and answers 201 with an empty body
 * (Shopify's credit-card request). The encrypted card waits for the charge job sealed with the
 * app's secret box, never decrypted here: Shopify must have our answer before anything is
 * charged or reported.
 * A retry with the same id gets the same answer and creates nothing.
 */
export async function receiveCardSession(
  headers: SessionHeaders,
  body: CardSessionBody,
  gateway: PaymentGateway,
  { box, abandonAfterMs }: { box: SecretBox; abandonAfterMs: number },
): Promise<SessionAnswer> {
  // The shop, its readiness and a stored session in one read (docs/decisions/intake-without-the-orm.md).
  const shop = await shopForIntake(headers.shop, body.id);
  if (!shop) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  // A retry gets its stored answer before any check of the shop (docs/decisions/0007-replay-before-readiness.md).
  if (shop.stored) return { status: 201, body: "" };
  if (!shop.active) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  if (!shop.ready) return { status: 403, body: `Shop ${headers.shop} has not finished setting up ${gateway.displayName}` };

  const { moto, ...encrypted } = body.payment_method.data;
  const now = new Date();
  const data = {
    ...paymentSessionRow(shop.id, headers, body, gateway, "processing", { now, abandonAfterMs }),
    paymentMethodType: "credit_card",
    // Opaque address of the 3-D Secure page; never Shopify's id.
    shopperToken: randomBytes(24).toString("base64url"),
    clientIp: body.client_details?.ip_address ?? null,
    responseBody: "",
  };
  const event = {
    shopId: shop.id,
    kind: "shopify.request" as const,
    summary: `Shopify sent a ${body.test ? "test" : "live"} card ${body.kind}${moto ? " (MOTO)" : ""} of ${body.amount} ${body.currency}`,
    detail: { shopifyRequestId: headers.requestId, apiVersion: headers.apiVersion, group: body.group, moto: moto === true },
  };
  if (data.status === "rejecting") {
    // Rare: written with its finalize job through Prisma; no card is kept.
    try {
      await db().$transaction(async (tx) => {
        const session = await tx.paymentSession.create({ data });
        await recordEvent(tx, { ...event, paymentSessionId: session.id });
        await enqueueFinalize(tx, session);
      });
    } catch (error) {
      // A concurrent duplicate won the race: it answered the same.
      if (!isUniqueViolation(error)) throw error;
    }
    return { status: 201, body: "" };
  }
  // The id is chosen here: the sealed card is bound to it.
  const id = newId();
  const card = cardForCharge({ id, shopId: shop.id }, { sealed: sealCardData(box, id, encrypted), moto: moto === true }, now);
  // A concurrent duplicate that won the race answered the same.
  await storeNewSession({
    session: { id, ...data, checks: 0, createdAt: now, updatedAt: now },
    event: { id: newId(), ...eventRow({ ...event, paymentSessionId: id }), createdAt: now },
    card: {
      payload: { ...card.payload, createdAt: now },
      job: { id: newId(), ...jobRowOf(card.job), status: "pending", attempts: 0, createdAt: now, updatedAt: now },
    },
  });
  return { status: 201, body: "" };
}
