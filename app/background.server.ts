import { createWorker, type JobHandlers, type Worker } from "~/jobs";
import { logger } from "~/lib/logger";
import { FINALIZE_PAYMENT_SESSION, finalizePaymentSession } from "~/payments/finalize.server";

/** Every durable job type of the app and its handler. */
export const JOB_HANDLERS: JobHandlers = {
  [FINALIZE_PAYMENT_SESSION]: finalizePaymentSession,
};

let worker: Worker | undefined;

/** Runs the job worker in this process (npm start does, unless WORKER=off). */
export function startBackgroundWorker(): Worker {
  worker ??= createWorker({ handlers: JOB_HANDLERS, logger, pollIntervalMs: 1_000, leaseMs: 2 * 60_000 });
  worker.start();
  return worker;
}

export async function stopBackgroundWorker() {
  await worker?.stop();
}

/** Asks this process's worker to look for due jobs now: a shopper is waiting for the result. */
export function wakeWorker() {
  worker?.wake();
}
