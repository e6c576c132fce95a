import { createWorker, type JobHandlers, type Worker } from "~/jobs";
import { logger } from "~/lib/logger";
import { chargeDeps } from "~/payments/charge-deps.server";
import { FINALIZE_PAYMENT_SESSION, finalizePaymentSession } from "~/payments/finalize.server";
import { GATEWAY_EVENT, gatewayEventHandler } from "~/payments/gateway-events.server";
import { PAYMENT_SESSION_DEADLINE, RECONCILE_PAYMENTS, reconcileHandler, scheduleReconciler, settleAbandonedSession } from "~/payments/sweeper.server";
import { db } from "~/db.server";
import { FINALIZE_HANDLERS } from "~/payments/finalized-decisions.server";
import { REFUND_AT_GATEWAY, refundAtGatewayHandler } from "~/payments/refunds.server";
import { CAPTURE_AT_GATEWAY, captureAtGatewayHandler } from "~/payments/captures.server";
import { VOID_AT_GATEWAY, voidAtGatewayHandler } from "~/payments/voids.server";
import { REFUND_ATTEMPT, refundAttemptHandler } from "~/payments/attempt-refund.server";
import { CHARGE_CARD_SESSION, chargeCardHandler, type CardChargeDeps } from "~/payments/card/charge.server";
import { CONFIRM_CARD_SESSION, confirmCardHandler } from "~/payments/card/confirm.server";
import { REFUND_UNCONFIRMED, refundUnconfirmedHandler } from "~/payments/card/confirmation.server";
import { cardChargeDeps } from "~/payments/card/deps.server";
import { REDIRECT_CARD_SESSION, redirectCardHandler } from "~/payments/card/redirect.server";
import type { ChargeDeps } from "~/payments/charge.server";
import { config } from "~/lib/config.server";
import { REMOVE_GATEWAY_WEBHOOKS, removeGatewayWebhooksHandler } from "~/merchants/gateway-webhooks.server";
import { SETTLE_AUTHORIZATION, settleAuthorizationHandler } from "~/payments/authorization-settlement.server";

/** Every durable job type of the app and its handler; tests may wire other collaborators (a gateway that does not sleep). */
export function createJobHandlers(deps: { charge: () => ChargeDeps; card: () => CardChargeDeps } = { charge: chargeDeps, card: cardChargeDeps }): JobHandlers {
  return {
    [FINALIZE_PAYMENT_SESSION]: finalizePaymentSession,
    [REFUND_AT_GATEWAY]: refundAtGatewayHandler(deps.charge),
    [CAPTURE_AT_GATEWAY]: captureAtGatewayHandler(deps.charge),
    [VOID_AT_GATEWAY]: voidAtGatewayHandler(deps.charge),
    ...FINALIZE_HANDLERS,
    [PAYMENT_SESSION_DEADLINE]: settleAbandonedSession,
    [GATEWAY_EVENT]: gatewayEventHandler(deps.charge),
    [RECONCILE_PAYMENTS]: reconcileHandler(deps.charge),
    [CHARGE_CARD_SESSION]: chargeCardHandler(deps.card),
    [REDIRECT_CARD_SESSION]: redirectCardHandler(() => config().SHOPIFY_APP_URL),
    [CONFIRM_CARD_SESSION]: confirmCardHandler,
    [REFUND_ATTEMPT]: refundAttemptHandler(deps.charge),
    [REFUND_UNCONFIRMED]: refundUnconfirmedHandler(deps.charge),
    [REMOVE_GATEWAY_WEBHOOKS]: removeGatewayWebhooksHandler(deps.charge),
    [SETTLE_AUTHORIZATION]: settleAuthorizationHandler(deps.charge),
  };
}

export const JOB_HANDLERS: JobHandlers = createJobHandlers();

let worker: Worker | undefined;

/** Runs the job worker in this process (npm start does, unless WORKER=off), and makes sure the reconciler is scheduled. */
export function startBackgroundWorker(): Worker {
  worker ??= createWorker({ handlers: JOB_HANDLERS, logger, pollIntervalMs: 1_000, leaseMs: 2 * 60_000 });
  worker.start();
  void scheduleReconciler(db()).catch((error: Error) => logger.error({ error: error.name }, "could not schedule the reconciler"));
  return worker;
}

export async function stopBackgroundWorker() {
  await worker?.stop();
}

/** Asks this process's worker to look for due jobs now: a shopper is waiting for the result. */
export function wakeWorker() {
  worker?.wake();
}
