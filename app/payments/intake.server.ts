import { randomBytes } from "node:crypto";
import { db, isUniqueViolation, type Prisma } from "~/db.server";
import { enqueueFinalize } from "~/payments/finalize.server";
import { paymentSessionRow } from "~/payments/session-row";
import { newId, shopForIntake, storeNewSession } from "~/payments/intake-store.server";
import { eventRow, recordEvent, type TimelineEvent } from "~/payments/timeline.server";
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
  // The shop, its readiness and a stored answer in one read (docs/decisions/intake-without-the-orm.md).
  const shop = await shopForIntake(headers.shop, body.id);
  if (!shop) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  annotateRequest({ shop: headers.shop });
  // A retry gets its stored answer before any check of the shop (docs/decisions/0007-replay-before-readiness.md).
  if (shop.stored?.responseBody) return { status: 201, body: shop.stored.responseBody };
  if (!shop.active) return { status: 404, body: `Unknown shop ${headers.shop}: the app is not installed there` };
  if (!shop.ready) return { status: 403, body: `Shop ${headers.shop} has not finished setting up ${gateway.displayName}` };

  const token = randomBytes(24).toString("base64url");
  const responseBody = JSON.stringify({ redirect_url: shopperPageUrl(appUrl, token) });
  // Amounts the gateway cannot take are answered normally, then rejected with a clear reason:
  // Shopify needs the 2xx before it accepts a reject.
  const now = new Date();
  const data = {
    ...paymentSessionRow(shop.id, headers, body, gateway, "awaiting_card", { now, abandonAfterMs }),
    paymentMethodType: "offsite",
    shopperToken: token,
    cancelUrl: body.payment_method.data?.cancel_url ?? body.cancel_url ?? null,
    responseBody,
  };
  const event = {
    shopId: shop.id,
    kind: "shopify.request" as const,
    summary: `Shopify sent a ${body.test ? "test" : "live"} ${body.kind} of ${body.amount} ${body.currency}`,
    detail: { shopifyRequestId: headers.requestId, apiVersion: headers.apiVersion, group: body.group },
  };
  // Rejected at once when the gateway cannot take it (rare: written with its job through Prisma);
  // otherwise the sweeper settles it at its deadline if the shopper leaves.
  const id = newId();
  const stored =
    data.status === "rejecting"
      ? await storeRejecting(data, event)
      : await storeNewSession({
          session: { id, ...data, checks: 0, createdAt: now, updatedAt: now },
          event: { id: newId(), ...eventRow({ ...event, paymentSessionId: id }), createdAt: now },
        });
  // A concurrent duplicate won the race: answer exactly what it answered.
  if (stored === "duplicate") return (await storedAnswer(shop.id, body.id))!;
  return { status: 201, body: responseBody };
}

type SessionData = Omit<Prisma.PaymentSessionUncheckedCreateInput, "id">;

async function storeRejecting(data: SessionData, event: Omit<TimelineEvent, "paymentSessionId">): Promise<"stored" | "duplicate"> {
  try {
    await db().$transaction(async (tx) => {
      const session = await tx.paymentSession.create({ data });
      await recordEvent(tx, { ...event, paymentSessionId: session.id });
      await enqueueFinalize(tx, session);
    });
    return "stored";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

async function storedAnswer(shopId: string, shopifyId: string): Promise<SessionAnswer | null> {
  const row = await db().paymentSession.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId } }, select: { responseBody: true } });
  return row?.responseBody ? { status: 201, body: row.responseBody } : null;
}
