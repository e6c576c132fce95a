import type { GatewayAccount, GatewayError, GatewayPayment, GatewayResult } from "~/payments/gateway/port";
import { storedMoney, toDecimal } from "~/payments/money";
import type { AttemptFact } from "~/payments/next-state";
import { intentIdOf } from "~/payments/intent-key";

/**
 * What a gateway said, as a fact about one attempt (app/payments/next-state.ts). Every read of
 * a gateway is made for one attempt and applied to exactly that attempt
 * (docs/decisions/0001-attempt-identity.md).
 */

const failureName = (payment: GatewayPayment) => (payment.failure?.declined !== false ? "DECLINED" : (payment.failure?.code ?? "FAILED"));

export function paymentFact(payment: GatewayPayment): AttemptFact {
  // A released authorization moved no money: for the session it is a failed attempt.
  const status = payment.status === "canceled" ? "failed" : payment.status;
  return {
    kind: "payment",
    paymentId: payment.id,
    status,
    amount: payment.amount ? toDecimal(payment.amount) : null,
    provider: payment.provider,
    errorName: status === "failed" ? (payment.status === "canceled" ? "CANCELED" : failureName(payment)) : null,
    errorMessage:
      status === "failed" ? [payment.failure?.code && `(${payment.failure.code})`, payment.failure?.message].filter(Boolean).join(" ") || null : null,
    threeDs: payment.action ? { redirectUrl: payment.action.redirectUrl, method: payment.action.method, parameters: { ...payment.action.parameters } } : null,
  };
}

/** The answer to a charge (after the adapter's own retries and lost-answer lookups). */
export function chargeFact(result: GatewayResult<GatewayPayment>): AttemptFact {
  if (result.ok) return paymentFact(result.value);
  return errorFact(result.error);
}

function errorFact(error: GatewayError): AttemptFact {
  // A decline the gateway recorded as a payment: keep its id on the attempt.
  if (error.payment) return paymentFact(error.payment);
  const detail = { errorName: error.code, errorMessage: error.gatewayCode ? `(${error.gatewayCode}) ${error.message}` : error.message };
  if (error.category === "outcome_unknown") return { kind: "unknown", ...detail };
  if (error.code === "DECLINED" || error.code === "INSUFFICIENT_FUNDS") return { kind: "declined", ...detail, errorName: error.code };
  // Retryable errors reach us only after the adapter looked the payment up and found none.
  if (error.category === "retryable") return { kind: "not-charged", ...detail };
  return { kind: "refused", ...detail, gatewayCode: error.gatewayCode, merchantKey: error.code === "CREDENTIALS_REFUSED" };
}

export type AttemptRead =
  | { kind: "fact"; fact: AttemptFact }
  /** The gateway answered the lookup: there is no payment for this attempt. */
  | { kind: "absent" }
  /** The gateway could not be asked, or answered something we cannot use: nothing is known. */
  | { kind: "unavailable"; reason: string };

export interface ReadableAttempt {
  gatewayPaymentId: string | null;
  merchantRef: string;
  /** A wallet attempt's intent (app/payments/intent-key.ts): read by id rather than searched for. */
  intentKey?: string | null;
}

/**
 * The gateway's record of one attempt: by its payment id when we have it, otherwise by its own
 * reference. `others` are the payment ids of the session's other attempts, which a lookup of a
 * reference shared by older attempts must not mistake for this one
 * (docs/decisions/0009-merchant-ref-lookup.md).
 */
export async function readAttempt(
  account: GatewayAccount,
  attempt: ReadableAttempt,
  session: { amount: { toString(): string }; currency: string },
  others: readonly string[],
): Promise<AttemptRead> {
  if (attempt.gatewayPaymentId) {
    const read = await account.retrieve(attempt.gatewayPaymentId);
    return read.ok ? { kind: "fact", fact: paymentFact(read.value) } : { kind: "unavailable", reason: read.error.code };
  }
  const intentId = intentIdOf(attempt.intentKey);
  const found = await account.findByReference(attempt.merchantRef, {
    amount: storedMoney(session.amount, session.currency),
    others,
    ...(intentId ? { intentId } : {}),
  });
  if (!found.ok) return { kind: "unavailable", reason: found.error.code };
  return found.value ? { kind: "fact", fact: paymentFact(found.value) } : { kind: "absent" };
}
