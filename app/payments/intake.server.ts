import { randomBytes } from "node:crypto";
import { db, isUniqueViolation } from "~/db.server";
import { enqueueFinalize } from "~/payments/finalize.server";
import { paymentSessionRow } from "~/payments/session-row";
import { recordEvent } from "~/payments/timeline.server";
import { annotateRequest } from "~/observability/request-context.server";
import type { PaymentGateway } from "~/payments/gateway/port";
import type { PaymentSessionBody, SessionHeaders } from "~/payments/session-request";
import type { SessionAnswer } from "~/payments/session-route.server";

/** The shopper page's address for a session: an unguessable token, never Shopify's id. */
export function shopperPageUrl(appUrl: string, token: string): string {
  return `${appUrl}/pay/${token}`;
}

/**
 * Stores a payment session Shopify sent (keyed by Shopify's id) and answers with the card
 * page's URL. A retry with the same id gets the stored answer, byte for byte; concurrent
 * duplicates create one row. No mutation is sent from here: Shopify must have our answer
 * first, so anything to tell Shopify goes through a job.
 */
export async function receivePaymentSession(
  headers: SessionHeaders,
  body: PaymentSessionBody,
  gateway: PaymentGateway,
  { appUrl, abandonAfterMs }: { appUrl: string; abandonAfterMs: number },
): Promise<SessionAnswer> {
  const shop = await db().shop.findUnique({ where: { domain: headers.shop }, include: { settings: true } });
  if (!shop) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  annotateRequest({ shop: shop.domain });
  // A retry gets its stored answer before any check of the shop (docs/decisions/0007-replay-before-readiness.md).
  const existing = await storedAnswer(shop.id, body.id);
  if (existing) return existing;
  if (!shop.active) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  if (!shop.settings?.ready) return { status: 403, body: `Shop ${headers.shop} has not finished setting up ${gateway.displayName}` };

  const token = randomBytes(24).toString("base64url");
  const responseBody = JSON.stringify({ redirect_url: shopperPageUrl(appUrl, token) });
  // Amounts the gateway cannot take are answered normally, then rejected with a clear reason:
  // Shopify needs the 2xx before it accepts a reject.
  const data = {
    ...paymentSessionRow(shop.id, headers, body, gateway, "awaiting_card", { now: new Date(), abandonAfterMs }),
    paymentMethodType: "offsite",
    shopperToken: token,
    cancelUrl: body.payment_method.data?.cancel_url ?? body.cancel_url ?? null,
    responseBody,
  };
  try {
    await db().$transaction(async (tx) => {
      const session = await tx.paymentSession.create({ data });
      await recordEvent(tx, {
        shopId: shop.id,
        paymentSessionId: session.id,
        kind: "shopify.request",
        summary: `Shopify sent a ${body.test ? "test" : "live"} ${body.kind} of ${body.amount} ${body.currency}`,
        detail: { shopifyRequestId: headers.requestId, apiVersion: headers.apiVersion, group: body.group },
      });
      // Rejected at once when the gateway cannot take it; otherwise the sweeper settles it at its deadline if the shopper leaves.
      if (session.status === "rejecting") await enqueueFinalize(tx, session);
    });
  } catch (error) {
    // A concurrent duplicate won the race: answer exactly what it answered.
    if (isUniqueViolation(error)) return (await storedAnswer(shop.id, body.id))!;
    throw error;
  }
  return { status: 201, body: responseBody };
}

async function storedAnswer(shopId: string, shopifyId: string): Promise<SessionAnswer | null> {
  const row = await db().paymentSession.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId } }, select: { responseBody: true } });
  return row?.responseBody ? { status: 201, body: row.responseBody } : null;
}
