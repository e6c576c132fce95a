/**
 * A charge through Accrue: the shopper's widget created a payment intent; we read it, check it
 * belongs to this checkout and amount, authorize exactly Shopify's amount once, and capture at
 * once for a sale. Decisions: docs/decisions/accrue-a02-binding.md, accrue-a03-amount.md,
 * accrue-a05-capture-at-once.md, accrue-a08-authorize-once.md, accrue-a18-declines.md,
 * accrue-a19-decline-retry.md, accrue-a20-port-mapping.md.
 */
import type { Logger } from "~/lib/logger";
import { err, ok } from "~/lib/result";
import type { ChargeRequest, GatewayPayment, GatewayResult } from "~/payments/gateway/port";
import type { AccrueMerchantClient, IntentWithPayments } from "./client";
import { accrueAmountProblem, adapterError, toCents, toGatewayError, toGatewayPayment } from "./gateway-mapping";
import type { AccruePayment, AccruePaymentIntent } from "./schemas";

const LIVE = (payment: AccruePayment) => payment.status !== "Canceled" && payment.status !== "Expired";

/** Why this intent is not this checkout's to charge (nothing was sent), or null. */
export function bindingProblem(intent: AccruePaymentIntent, reference: string, cents: number, now: number): string | null {
  // A null reference is refused too: an intent we cannot tie to the session could be anyone's.
  if (intent.reference !== reference) return "The payment intent was not created for this checkout";
  if (intent.status === "Promotable" && intent.expiresAt !== null && Date.parse(intent.expiresAt) <= now) return "The payment intent has expired";
  // The widget's amount is what the shopper agreed to: a different one is refused before
  // anything is authorized (the authorize itself always sends Shopify's amount).
  if (intent.amount !== null && intent.amount !== cents) return `The payment intent is for ${intent.amount} cents, not ${cents}`;
  return null;
}

export interface ChargeContext {
  readonly client: AccrueMerchantClient;
  readonly logger: Logger | undefined;
  readonly now: () => number;
}

export async function chargeIntent(context: ChargeContext, request: ChargeRequest): Promise<GatewayResult<GatewayPayment>> {
  const { client } = context;
  if (request.instrument.kind !== "intent") return err(adapterError("INVALID_REQUEST", "terminal", "Accrue charges payment intents from its widget only"));
  const problem = accrueAmountProblem(request.amount);
  if (problem) return err(adapterError("INVALID_REQUEST", "terminal", problem));
  const cents = toCents(request.amount);
  const { intentId } = request.instrument;

  const read = await client.getPaymentIntent(intentId);
  if (!read.ok) return err(toGatewayError(read.error));
  const { intent } = read.value;
  const unbound = bindingProblem(intent, request.reference, cents, context.now());
  if (unbound) return err(adapterError("INVALID_REQUEST", "terminal", `${unbound}; nothing was charged`));

  const others = new Set(request.otherAttemptPaymentIds);
  let payment: AccruePayment;
  if (intent.status === "PromotedToPayment") {
    // A second charge for the same intent (a retry, a lost answer): adopt, never authorize again.
    const adopted = adoptable(read.value, others);
    if (!adopted) return err(adapterError("STATE_MISMATCH", "terminal", "The payment intent was already used and holds no payment for this attempt"));
    payment = adopted;
  } else if (intent.error !== null) {
    // An intent Accrue marked with an error cannot be authorized: a decline (accrue-a18).
    return err({ ...adapterError("DECLINED", "terminal", `Accrue cannot pay with this wallet (${intent.error})`), gatewayCode: intent.error });
  } else if (intent.status === "RequiresAction") {
    return err(adapterError("STATE_MISMATCH", "retryable", "The shopper has not finished in Accrue's widget; nothing was charged"));
  } else if (intent.status !== "Promotable") {
    return err(adapterError("STATE_MISMATCH", "terminal", `The payment intent is ${intent.status}; nothing was charged`));
  } else {
    const authorized = await client.authorizePaymentIntent(intentId, cents);
    if (!authorized.ok) return err(toGatewayError(authorized.error, "authorize"));
    payment = authorized.value.payment;
    await releaseExtras(context, authorized.value.otherPayments, others);
  }

  if (payment.amount !== cents) return mismatchedAmount(context, payment, cents);
  if (request.capture && paymentIsUncaptured(payment)) return captureAtOnce(context, payment, cents);
  return mapped(payment);
}

function paymentIsUncaptured(payment: AccruePayment): boolean {
  return toGatewayPayment(payment)?.status === "authorized";
}

function adoptable(state: IntentWithPayments, others: ReadonlySet<string>): AccruePayment | null {
  const live = state.payments.filter(LIVE);
  // A payment that already serves another attempt of the session is never taken for this one.
  return live.find((payment) => !others.has(payment.id)) ?? null;
}

function mapped(payment: AccruePayment): GatewayResult<GatewayPayment> {
  const neutral = toGatewayPayment(payment);
  return neutral
    ? ok(neutral)
    : err(adapterError("UNEXPECTED_RESPONSE", "outcome_unknown", `Accrue reports payment ${payment.id} as ${payment.status}, a status we do not know`));
}

/** Accrue's own extra payments on the intent (a repeated promotion) are released: only ours is kept (accrue-a08). */
async function releaseExtras(context: ChargeContext, extras: readonly AccruePayment[], others: ReadonlySet<string>): Promise<void> {
  for (const extra of extras) {
    if (others.has(extra.id)) continue;
    const canceled = await context.client.cancelPayment(extra.id);
    if (!canceled.ok)
      context.logger?.error({ accrue: { paymentId: extra.id, error: canceled.error.code } }, "accrue extra payment on an intent could not be released");
  }
}

/** Accrue recorded another amount than we asked for: release it, charge nothing (accrue-a03). */
async function mismatchedAmount(context: ChargeContext, payment: AccruePayment, cents: number): Promise<GatewayResult<GatewayPayment>> {
  const canceled = await context.client.cancelPayment(payment.id);
  const message = `Accrue authorized ${payment.amount} cents instead of ${cents}`;
  if (canceled.ok) {
    const released = toGatewayPayment(canceled.value);
    return err(adapterError("UNEXPECTED_RESPONSE", "terminal", `${message}; it was released`, released ? { payment: released } : {}));
  }
  context.logger?.error({ accrue: { paymentId: payment.id, error: canceled.error.code } }, "accrue payment of a wrong amount could not be released");
  return err(adapterError("UNEXPECTED_RESPONSE", "terminal", `${message}, and releasing payment ${payment.id} failed: release it in Accrue`));
}

/**
 * A sale: capture the whole authorization now (docs/decisions/accrue-a05-capture-at-once.md).
 * A capture refused for good releases the authorization, so no hold is left behind; a capture
 * whose outcome stays unknown is left to the reconciler, which re-reads the payment.
 */
async function captureAtOnce(context: ChargeContext, payment: AccruePayment, cents: number): Promise<GatewayResult<GatewayPayment>> {
  const captured = await context.client.capturePayment(payment.id, cents);
  if (captured.ok) return mapped(captured.value);
  if (captured.error.category !== "terminal") return err(toGatewayError(captured.error));
  // Read before releasing: a refusal may mean another send captured it already, and Accrue's
  // cancel would reverse that capture rather than release a hold.
  const reread = await context.client.getPayment(payment.id);
  if (reread.ok && !paymentIsUncaptured(reread.value.payment)) return mapped(reread.value.payment);
  const canceled = await context.client.cancelPayment(payment.id);
  const released = canceled.ok ? toGatewayPayment(canceled.value) : null;
  if (!canceled.ok)
    context.logger?.error(
      { accrue: { paymentId: payment.id, error: canceled.error.code } },
      "accrue authorization could not be released after a failed capture",
    );
  return err(toGatewayError(captured.error, "other", released ?? undefined));
}
