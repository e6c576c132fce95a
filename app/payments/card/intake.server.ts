import { randomBytes } from "node:crypto";
import { db, isUniqueViolation } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { sealCardData, storeCardForCharge } from "~/payments/card/charge.server";
import type { CardSessionBody } from "~/payments/card/request";
import { enqueueFinalize } from "~/payments/finalize.server";
import type { PaymentGateway } from "~/payments/gateway/port";
import { paymentSessionRow } from "~/payments/session-row";
import type { SessionHeaders } from "~/payments/session-request";
import type { SessionAnswer } from "~/payments/session-route.server";
import { recordEvent } from "~/payments/timeline.server";

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
  const shop = await db().shop.findUnique({ where: { domain: headers.shop }, include: { settings: true } });
  if (!shop) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  // A retry gets its stored answer before any check of the shop (docs/decisions/0007-replay-before-readiness.md).
  if (await alreadyStored(shop.id, body.id)) return { status: 201, body: "" };
  if (!shop.active) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  if (!shop.settings?.ready) return { status: 403, body: `Shop ${headers.shop} has not finished setting up ${gateway.displayName}` };

  const { moto, ...encrypted } = body.payment_method.data;
  const now = new Date();
  try {
    await db().$transaction(async (tx) => {
      const session = await tx.paymentSession.create({
        data: {
          ...paymentSessionRow(shop.id, headers, body, gateway, "processing", { now, abandonAfterMs }),
          paymentMethodType: "credit_card",
          // Opaque address of the 3-D Secure page; never Shopify's id.
          shopperToken: randomBytes(24).toString("base64url"),
          clientIp: body.client_details?.ip_address ?? null,
          responseBody: "",
        },
      });
      await recordEvent(tx, {
        shopId: shop.id,
        paymentSessionId: session.id,
        kind: "shopify.request",
        summary: `Shopify sent a ${body.test ? "test" : "live"} card ${body.kind}${moto ? " (MOTO)" : ""} of ${body.amount} ${body.currency}`,
        detail: { shopifyRequestId: headers.requestId, apiVersion: headers.apiVersion, group: body.group, moto: moto === true },
      });
      if (session.status === "rejecting") {
        await enqueueFinalize(tx, session);
        return;
      }
      await storeCardForCharge(tx, session, { sealed: sealCardData(box, session.id, encrypted), moto: moto === true }, now);
    });
  } catch (error) {
    // A concurrent duplicate won the race: it answered the same.
    if (isUniqueViolation(error)) return { status: 201, body: "" };
    throw error;
  }
  return { status: 201, body: "" };
}

async function alreadyStored(shopId: string, shopifyId: string): Promise<boolean> {
  const row = await db().paymentSession.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId } }, select: { id: true } });
  return row !== null;
}
