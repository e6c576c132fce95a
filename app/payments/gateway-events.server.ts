import { z } from "zod";
import { verifyAccelebitWebhook, webhookDedupKey } from "~/accelebit";
import { db, isUniqueViolation } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { secretContext } from "~/merchants/settings.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { settleFromGateway } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { recordEvent } from "~/payments/timeline.server";

/**
 * Accelebit webhooks. A delivery is only a trigger: it is verified with the shop's signing
 * secret, recorded once per event, and a job re-reads the payment from Accelebit and drives
 * the same completion logic as the shopper's return. A forged webhook, even correctly
 * signed, cannot make a payment look paid.
 */
export const ACCELEBIT_EVENT = "accelebit.event";

export type WebhookAnswer = { status: 200 | 401 | 404; body: string };

export async function receiveAccelebitWebhook(webhookToken: string, rawBody: string, headers: Headers, box: SecretBox): Promise<WebhookAnswer> {
  const shop = await db().shop.findUnique({ where: { webhookToken }, include: { settings: { select: { webhookSecretCiphertext: true } } } });
  if (!shop) return { status: 404, body: "Unknown webhook URL" };
  const ciphertext = shop.settings?.webhookSecretCiphertext;
  const secret = ciphertext ? box.decrypt(ciphertext, secretContext(shop.id, "webhook-secret")) : null;
  const verified = verifyAccelebitWebhook({ rawBody, headers, secret });
  if (!verified.ok) return { status: 401, body: `Webhook refused: ${verified.reason}` };

  const { event } = verified;
  if (event.objectType === "unknown" || !event.paymentId) return { status: 200, body: "ignored" }; // acknowledged, nothing to do
  try {
    await db().$transaction(async (tx) => {
      const recorded = await tx.gatewayEvent.create({
        // objectId: the payment to re-read (for refund.* the refunded payment).
        data: { shopId: shop.id, eventId: webhookDedupKey(event), type: event.type, objectId: event.paymentId, signatureValid: true },
      });
      await enqueueJob(tx, { type: ACCELEBIT_EVENT, payload: { gatewayEventId: recorded.id }, shopId: shop.id, dedupeKey: `event:${recorded.id}` });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // a redelivery: already recorded, one effect only
  }
  return { status: 200, body: "ok" };
}

/** The job: re-read the payment from Accelebit and settle the session it belongs to. */
export function accelebitEventHandler(deps: () => Pick<ChargeDeps, "gateway" | "box" | "maxAttempts">) {
  return jobHandler(z.object({ gatewayEventId: z.string().min(1) }), async ({ gatewayEventId }, { logger }) => {
    const event = await db().gatewayEvent.findUnique({ where: { id: gatewayEventId } });
    if (!event?.objectId) return;
    if (event.type.startsWith("refund.")) {
      await hurryRefunds(event.shopId, event.objectId);
      await db().gatewayEvent.update({ where: { id: gatewayEventId }, data: { processedAt: new Date() } });
      return;
    }
    const session = await db().paymentSession.findFirst({
      where: { shopId: event.shopId, OR: [{ accelebitPaymentId: event.objectId }, { attempts: { some: { accelebitPaymentId: event.objectId } } }] },
    });
    if (session) {
      const { gateway, box, maxAttempts } = deps();
      const account = await accountForSession({ gateway, box }, session);
      if (account.ok) {
        const read = await account.value.retrievePayment(event.objectId);
        if (!read.ok) {
          if (read.error.category === "terminal") logger.warn({ gatewayEventId, error: read.error.name }, "webhook names a payment Accelebit does not return");
          else throw new RetryableJobError(`Accelebit ${read.error.name} while re-reading the payment`);
        } else {
          await recordEvent(db(), {
            shopId: session.shopId,
            paymentSessionId: session.id,
            kind: "webhook.received",
            summary: `Accelebit webhook ${event.type}; the payment re-read from Accelebit is ${read.value.status}`,
            detail: { eventId: event.eventId },
          });
          const outcome = await settleFromGateway(session.id, read.value, maxAttempts);
          logger.info({ gatewayEventId, paymentSessionId: session.id, outcome: outcome.kind }, "webhook settled from Accelebit's record");
        }
      }
    }
    await db().gatewayEvent.update({ where: { id: gatewayEventId }, data: { processedAt: new Date() } });
  });
}

/**
 * refund.created: Accelebit made a refund. Refunds are settled by their own jobs, which repeat
 * the refund with its Idempotency-Key and so read Accelebit's answer; a refund job of this
 * payment that is waiting for a retry (say after a lost answer) runs now instead of later.
 */
async function hurryRefunds(shopId: string, accelebitPaymentId: string) {
  const payment = await db().paymentSession.findFirst({ where: { shopId, accelebitPaymentId }, select: { id: true } });
  if (!payment) return;
  const [refunds, voids] = await Promise.all([
    db().refundSession.findMany({ where: { paymentSessionId: payment.id, status: "processing" }, select: { id: true } }),
    db().voidSession.findMany({ where: { paymentSessionId: payment.id, status: "processing" }, select: { id: true } }),
  ]);
  const keys = [...refunds.map((r) => `refund:${r.id}`), ...voids.map((v) => `void-refund:${v.id}`)];
  if (keys.length) await db().job.updateMany({ where: { dedupeKey: { in: keys }, status: "pending" }, data: { runAt: new Date() } });
}
