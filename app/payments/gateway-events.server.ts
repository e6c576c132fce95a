import { z } from "zod";
import { db, isUniqueViolation } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { loadWebhookSecret } from "~/merchants/credentials.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { applyAttemptFact } from "~/payments/completion.server";
import { accountForSession, gatewayOf, type Gateways } from "~/payments/gateway-account.server";
import { readAttempt } from "~/payments/gateway-facts.server";
import type { GatewayId } from "~/payments/gateway/port";
import { jobKeys } from "~/payments/job-keys";
import { recordEvent } from "~/payments/timeline.server";

/**
 * A gateway's webhooks. A delivery is only a trigger: it is verified with the shop's signing
 * secret for that gateway, recorded once per event, and a job re-reads the attempt it names
 * from the gateway and drives the same decision as the shopper's return. A forged webhook,
 * even correctly signed, cannot make a payment look paid.
 */
export const GATEWAY_EVENT = "gateway.event";

export type WebhookAnswer = { status: 200 | 401 | 404; body: string };

export async function receiveGatewayWebhook(
  gateway: GatewayId,
  webhookToken: string,
  rawBody: string,
  headers: Headers,
  deps: { gateways: Gateways; box: SecretBox },
): Promise<WebhookAnswer> {
  const target = await db().shopGateway.findUnique({ where: { webhookToken }, select: { shopId: true, gateway: true } });
  if (!target || target.gateway !== gateway) return { status: 404, body: "Unknown webhook URL" };
  const secret = await loadWebhookSecret(target.shopId, gateway, deps.box);
  const verified = deps.gateways(gateway).verifyWebhook({ rawBody, headers, secret });
  if (!verified.ok) return { status: 401, body: `Webhook refused: ${verified.reason}` };

  const { event } = verified;
  if (event.subject === "other" || !event.paymentId) return { status: 200, body: "ignored" }; // acknowledged, nothing to do
  try {
    await db().$transaction(async (tx) => {
      const recorded = await tx.gatewayEvent.create({
        // objectId: the payment to re-read (for a refund event, the refunded payment).
        data: {
          shopId: target.shopId,
          gateway,
          eventId: event.dedupeKey,
          type: event.type,
          objectId: event.paymentId,
          merchantRef: event.reference,
          signatureValid: true,
        },
      });
      await enqueueJob(tx, {
        type: GATEWAY_EVENT,
        payload: { gatewayEventId: recorded.id },
        shopId: target.shopId,
        dedupeKey: jobKeys.gatewayEvent(recorded.id),
      });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // a redelivery: already recorded, one effect only
  }
  return { status: 200, body: "ok" };
}

/**
 * The job: find the attempt the webhook names — by its stored payment id, or by its own
 * reference when we never learned the id — re-read that attempt from its gateway and decide
 * like any other path (docs/decisions/0001-attempt-identity.md). A payment that is no attempt
 * of this shop's is ignored.
 */
export function gatewayEventHandler(deps: () => Pick<ChargeDeps, "gateways" | "box" | "maxAttempts">) {
  return jobHandler(z.object({ gatewayEventId: z.string().min(1) }), async ({ gatewayEventId }, { logger, now }) => {
    const event = await db().gatewayEvent.findUnique({ where: { id: gatewayEventId } });
    if (!event?.objectId) return;
    const processed = () => db().gatewayEvent.update({ where: { id: gatewayEventId }, data: { processedAt: new Date() } });
    if (event.type.toLowerCase().includes("refund")) {
      await hurryRefunds(event.shopId, event.objectId);
      await processed();
      return;
    }
    const attempt =
      (await db().paymentAttempt.findFirst({
        where: { gatewayPaymentId: event.objectId, paymentSession: { shopId: event.shopId } },
        include: { paymentSession: true },
      })) ??
      (event.merchantRef
        ? await db().paymentAttempt.findFirst({
            where: { merchantRef: event.merchantRef, gatewayPaymentId: null, paymentSession: { shopId: event.shopId } },
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
    const { gateways, box, maxAttempts } = deps();
    const account = await accountForSession({ gateways, box }, session);
    // No usable key: nothing is decided blind; the job (and the sweeper) try again later.
    if (!account.ok) throw new RetryableJobError(`No usable key to re-read the payment: ${account.error.message}`);
    const others = (
      await db().paymentAttempt.findMany({ where: { paymentSessionId: session.id, id: { not: attempt.id }, gatewayPaymentId: { not: null } } })
    ).map((a) => a.gatewayPaymentId!);
    const read = await readAttempt(account.value, attempt, session, others);
    if (read.kind === "unavailable") {
      if (read.reason === "NOT_FOUND") logger.warn({ gatewayEventId }, "webhook names a payment the gateway does not return");
      else throw new RetryableJobError(`The gateway answered ${read.reason} while re-reading the payment`);
    } else if (read.kind === "fact") {
      await recordEvent(db(), {
        shopId: session.shopId,
        paymentSessionId: session.id,
        kind: "webhook.received",
        summary: `${gatewayOf(gateways, session).displayName} webhook ${event.type} for attempt ${attempt.number}; the payment re-read from ${gatewayOf(gateways, session).displayName} is ${read.fact.kind === "payment" ? read.fact.status : read.fact.kind}`,
        detail: { eventId: event.eventId },
      });
      const outcome = await applyAttemptFact(session.id, attempt.id, read.fact, { now, maxAttempts, gateways });
      logger.info({ gatewayEventId, paymentSessionId: session.id, attempt: attempt.number, outcome: outcome.kind }, "webhook settled from Accelebit's record");
    }
    await processed();
  });
}

/**
 * A refund event: the gateway made or moved a refund. Refunds are settled by their own jobs,
 * which repeat the refund with its idempotency key (or read it back) and so read the gateway's
 * answer; a refund job of this payment waiting for a retry (say after a lost answer) runs now.
 */
async function hurryRefunds(shopId: string, gatewayPaymentId: string) {
  const payment = await db().paymentSession.findFirst({ where: { shopId, gatewayPaymentId }, select: { id: true } });
  if (!payment) return;
  const [refunds, voids] = await Promise.all([
    db().refundSession.findMany({ where: { paymentSessionId: payment.id, status: "processing" }, select: { id: true } }),
    db().voidSession.findMany({ where: { paymentSessionId: payment.id, status: "processing" }, select: { id: true } }),
  ]);
  const keys = [...refunds.map((r) => jobKeys.refundAtGateway(r.id)), ...voids.map((v) => jobKeys.voidAtGateway(v.id))];
  if (keys.length) await db().job.updateMany({ where: { dedupeKey: { in: keys }, status: "pending" }, data: { runAt: new Date() } });
}
