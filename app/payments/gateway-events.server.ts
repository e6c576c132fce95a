import { z } from "zod";
import { db, isUniqueViolation } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { loadWebhookSecrets } from "~/merchants/credentials.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { applyAttemptFact } from "~/payments/completion.server";
import { accountForSession, gatewayOf, type Gateways } from "~/payments/gateway-account.server";
import { readAttempt } from "~/payments/gateway-facts.server";
import type { GatewayId, WebhookVerification } from "~/payments/gateway/port";
import { jobKeys } from "~/payments/job-keys";
import { RECONCILE_PAYMENTS } from "~/payments/sweeper.server";
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
  // One secret per registration: a gateway registered by API has one webhook per mode (sandbox
  // and live), each signing with its own secret (docs/decisions/accrue-merchant-setup.md).
  const secrets = await loadWebhookSecrets(target.shopId, gateway, deps.box);
  const verified = verifyWithAny(deps.gateways(gateway), rawBody, headers, secrets);
  if (!verified.ok) return { status: 401, body: `Webhook refused: ${verified.reason}` };

  const { event } = verified;
  if (event.subject === "other") return { status: 200, body: "ignored" }; // acknowledged, nothing to do
  // An event about payments that names none (an Accrue intent or refund event): recorded once
  // like any other, and its job brings the shop's open sessions of this gateway forward (A11).
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

/** Each secret is checked in constant time by the adapter; the first that verifies wins. */
function verifyWithAny(gateway: ReturnType<Gateways>, rawBody: string, headers: Headers, secrets: readonly string[]): WebhookVerification {
  let last: WebhookVerification = gateway.verifyWebhook({ rawBody, headers, secret: null });
  for (const secret of secrets) {
    last = gateway.verifyWebhook({ rawBody, headers, secret });
    if (last.ok) return last;
  }
  return last;
}

/**
 * A verified event that names no payment: every open payment session of the shop at this
 * gateway is due for its check now, its refund, capture and void jobs waiting for a retry run
 * now, and a sweep runs at once. Nothing in the event is applied; the sweeper re-reads each
 * session from the gateway (docs/decisions/accrue-a11-webhook-verification.md).
 */
async function reconcileOpenSessions(shopId: string, gateway: string, gatewayEventId: string, now: Date): Promise<number> {
  const { count } = await db().paymentSession.updateMany({ where: { shopId, gateway, nextCheckAt: { not: null } }, data: { nextCheckAt: now } });
  const open = { shopId, gateway, status: "processing" };
  const [refunds, captures, voids] = await Promise.all([
    db().refundSession.findMany({ where: open, select: { id: true } }),
    db().captureSession.findMany({ where: open, select: { id: true } }),
    db().voidSession.findMany({ where: open, select: { id: true } }),
  ]);
  const keys = [
    ...refunds.map((r) => jobKeys.refundAtGateway(r.id)),
    ...captures.map((c) => jobKeys.captureAtGateway(c.id)),
    ...voids.map((v) => jobKeys.voidAtGateway(v.id)),
  ];
  if (keys.length) await db().job.updateMany({ where: { dedupeKey: { in: keys }, status: "pending" }, data: { runAt: now } });
  await enqueueJob(db(), { type: RECONCILE_PAYMENTS, payload: {}, dedupeKey: jobKeys.sweepForEvent(gatewayEventId), runAt: now });
  return count + keys.length;
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
    if (!event) return;
    const processed = () => db().gatewayEvent.update({ where: { id: gatewayEventId }, data: { processedAt: new Date() } });
    if (!event.objectId) {
      const brought = await reconcileOpenSessions(event.shopId, event.gateway, event.id, now);
      logger.info({ gatewayEventId, brought }, "webhook names no payment: the shop's open sessions at this gateway are re-read now");
      await processed();
      return;
    }
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
