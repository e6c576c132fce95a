import { createWorker, type JobHandlers, type Worker } from "~/jobs";
import { logger } from "~/lib/logger";
import { PAYMENT_SESSION_DEADLINE, settleAbandonedSession } from "~/payments/abandonment.server";
import { chargeDeps } from "~/payments/charge-deps.server";
import { FINALIZE_PAYMENT_SESSION, finalizePaymentSession } from "~/payments/finalize.server";
import { ACCELEBIT_EVENT, accelebitEventHandler } from "~/payments/gateway-events.server";
import { RECONCILE_PAYMENTS, reconcileHandler, scheduleReconciler } from "~/payments/reconciler.server";
import { db } from "~/db.server";
import { FINALIZE_HANDLERS } from "~/payments/finalized-sessions.server";
import { REFUND_AT_ACCELEBIT, refundAtAccelebit } from "~/payments/refunds.server";
import { VOID_AT_ACCELEBIT, voidAtAccelebit } from "~/payments/voids.server";
import { CHARGE_CARD_SESSION, chargeCardHandler } from "~/payments/card/charge.server";
import { REFUND_UNCONFIRMED, refundUnconfirmedHandler } from "~/payments/card/confirmation.server";
import { cardChargeDeps } from "~/payments/card/deps.server";
import { REDIRECT_CARD_SESSION, redirectCardHandler } from "~/payments/card/redirect.server";
import { config } from "~/lib/config.server";

/** Every durable job type of the app and its handler. */
export const JOB_HANDLERS: JobHandlers = {
  [FINALIZE_PAYMENT_SESSION]: finalizePaymentSession,
  [REFUND_AT_ACCELEBIT]: refundAtAccelebit,
  [VOID_AT_ACCELEBIT]: voidAtAccelebit,
  ...FINALIZE_HANDLERS,
  [PAYMENT_SESSION_DEADLINE]: settleAbandonedSession,
  [ACCELEBIT_EVENT]: accelebitEventHandler(chargeDeps),
  [RECONCILE_PAYMENTS]: reconcileHandler(chargeDeps),
  [CHARGE_CARD_SESSION]: chargeCardHandler(cardChargeDeps),
  [REDIRECT_CARD_SESSION]: redirectCardHandler(() => config().SHOPIFY_APP_URL),
  [REFUND_UNCONFIRMED]: refundUnconfirmedHandler(chargeDeps),
};

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
