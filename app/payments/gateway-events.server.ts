import { z } from "zod";
import { verifyAccelebitWebhook, webhookDedupKey } from "~/accelebit";
import { db, isUniqueViolation } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { secretContext } from "~/merchants/settings.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { applyAttemptFact } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { readAttempt } from "~/payments/gateway-facts.server";
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
        data: {
          shopId: shop.id,
          eventId: webhookDedupKey(event),
          type: event.type,
          objectId: event.paymentId,
          merchantRef: event.merchantRef,
          signatureValid: true,
        },
      });
      await enqueueJob(tx, { type: ACCELEBIT_EVENT, payload: { gatewayEventId: recorded.id }, shopId: shop.id, dedupeKey: `event:${recorded.id}` });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // a redelivery: already recorded, one effect only
  }
  return { status: 200, body: "ok" };
}

/**
 * The job: find the attempt the webhook names — by its stored payment id, or by its own
 * merchantRef when we never learned the id — re-read that attempt from Accelebit and decide
 * like any other path (docs/decisions/0001-attempt-identity.md). A payment that is no attempt
 * of this shop's is ignored.
 */
export function accelebitEventHandler(deps: () => Pick<ChargeDeps, "gateway" | "box" | "maxAttempts">) {
  return jobHandler(z.object({ gatewayEventId: z.string().min(1) }), async ({ gatewayEventId }, { logger, now }) => {
    const event = await db().gatewayEvent.findUnique({ where: { id: gatewayEventId } });
    if (!event?.objectId) return;
    const processed = () => db().gatewayEvent.update({ where: { id: gatewayEventId }, data: { processedAt: new Date() } });
    if (event.type.startsWith("refund.")) {
      await hurryRefunds(event.shopId, event.objectId);
      await processed();
      return;
    }
    const attempt =
      (await db().paymentAttempt.findFirst({
        where: { accelebitPaymentId: event.objectId, paymentSession: { shopId: event.shopId } },
        include: { paymentSession: true },
      })) ??
      (event.merchantRef
        ? await db().paymentAttempt.findFirst({
            where: { merchantRef: event.merchantRef, accelebitPaymentId: null, paymentSession: { shopId: event.shopId } },
            orderBy: { number: "desc" },
            include: { paymentSession: true },
          })
        : null);
    if (!attempt) {
      logger.info({ gatewayEventId }, "webhook names no payment attempt of this shop; ignored");
      await processed();
      return;
    }
    const session = attempt.paymentSession;
    const { gateway, box, maxAttempts } = deps();
    const account = await accountForSession({ gateway, box }, session);
    // No usable key: nothing is decided blind; the job (and the sweeper) try again later.
    if (!account.ok) throw new RetryableJobError(`No usable key to re-read the payment: ${account.error.message}`);
    const others = (
      await db().paymentAttempt.findMany({ where: { paymentSessionId: session.id, id: { not: attempt.id }, accelebitPaymentId: { not: null } } })
    ).map((a) => a.accelebitPaymentId!);
    const read = await readAttempt(account.value, attempt, session, others);
    if (read.kind === "unavailable") {
      if (read.reason === "NOT_FOUND") logger.warn({ gatewayEventId }, "webhook names a payment Accelebit does not return");
      else throw new RetryableJobError(`Accelebit ${read.reason} while re-reading the payment`);
    } else if (read.kind === "fact") {
      await recordEvent(db(), {
        shopId: session.shopId,
        paymentSessionId: session.id,
        kind: "webhook.received",
        summary: `Accelebit webhook ${event.type} for attempt ${attempt.number}; the payment re-read from Accelebit is ${read.fact.kind === "payment" ? read.fact.status : read.fact.kind}`,
        detail: { eventId: event.eventId },
      });
      const outcome = await applyAttemptFact(session.id, attempt.id, read.fact, { now, maxAttempts });
      logger.info({ gatewayEventId, paymentSessionId: session.id, attempt: attempt.number, outcome: outcome.kind }, "webhook settled from Accelebit's record");
    }
    await processed();
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
