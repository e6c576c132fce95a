import { findOurPayment, formatAccelebitAmount, type AccelebitAccount, type AccelebitError, type AccelebitPayment, type Result } from "~/accelebit";
import type { AttemptFact } from "~/payments/next-state";

/**
 * What Accelebit said, as a fact about one attempt (app/payments/next-state.ts). Every read of
 * Accelebit is made for one attempt and applied to exactly that attempt
 * (docs/decisions/0001-attempt-identity.md).
 */

export function paymentFact(payment: AccelebitPayment): AttemptFact {
  return {
    kind: "payment",
    paymentId: payment.id,
    status: payment.status,
    amount: payment.amount ?? null,
    provider: payment.provider ?? null,
    errorName: payment.status === "failed" ? (payment.error?.name ?? "CARD_DECLINED") : null,
    errorMessage: payment.status === "failed" ? (payment.error?.message ?? null) : null,
    threeDs: payment.threeDsData
      ? { redirectUrl: payment.threeDsData.redirectUrl, method: payment.threeDsData.method, parameters: payment.threeDsData.parameters }
      : null,
  };
}

/** The answer to POST /v1/payments (after the adapter's own retries and lost-answer lookups). */
export function createPaymentFact(result: Result<AccelebitPayment, AccelebitError>): AttemptFact {
  if (result.ok) return paymentFact(result.value);
  const error = result.error;
  // A decline Accelebit recorded as a payment: keep its id on the attempt.
  if (error.payment) return paymentFact(error.payment);
  const detail = { errorName: error.name, errorMessage: error.message };
  if (error.category === "outcome_unknown") return { kind: "unknown", ...detail };
  if (error.name === "CARD_DECLINED") return { kind: "declined", ...detail };
  // Retryable errors reach us only after the adapter looked the payment up and found none.
  if (error.category === "retryable") return { kind: "not-charged", ...detail };
  return { kind: "refused", ...detail, merchantKey: error.name === "UNAUTHORIZED" };
}

export type AttemptRead =
  | { kind: "fact"; fact: AttemptFact }
  /** Accelebit answered the lookup: there is no payment for this attempt. */
  | { kind: "absent" }
  /** Accelebit could not be asked, or answered something we cannot use: nothing is known. */
  | { kind: "unavailable"; reason: string };

export interface ReadableAttempt {
  accelebitPaymentId: string | null;
  merchantRef: string;
}

/**
 * Accelebit's record of one attempt: by its payment id when we have it, otherwise by its own
 * merchantRef. `others` are the payment ids of the session's other attempts, which a lookup of a
 * reference shared by older attempts must not mistake for this one
 * (docs/decisions/0009-merchant-ref-lookup.md).
 */
export async function readAttempt(
  account: AccelebitAccount,
  attempt: ReadableAttempt,
  session: { amount: { toString(): string }; currency: string },
  others: readonly string[],
): Promise<AttemptRead> {
  if (attempt.accelebitPaymentId) {
    const read = await account.retrievePayment(attempt.accelebitPaymentId);
    return read.ok ? { kind: "fact", fact: paymentFact(read.value) } : { kind: "unavailable", reason: read.error.name };
  }
  const lookup = await account.findPaymentByMerchantRef(attempt.merchantRef);
  if (!lookup.ok) return { kind: "unavailable", reason: lookup.error.name };
  const amount = formatAccelebitAmount(session.amount.toString(), session.currency);
  if (!amount.ok) return { kind: "unavailable", reason: "AMOUNT" };
  const ours = findOurPayment(lookup.value, { amount: amount.value, currency: session.currency, knownEarlierAttemptIds: others });
  return ours ? { kind: "fact", fact: paymentFact(ours) } : { kind: "absent" };
}
