/**
 * Decision "GET /v1/payments?merchantRef= result": the documents say it "returns the same
 * fields as retrieve", so `data` may be one payment or a list. When several payments share
 * a reference, the newest decides and the others are reported beside it.
 */
import { type AccelebitError } from "./errors";
import { amountToMinorUnits, isAccelebitAmount } from "./amount";
import { err, ok, type Result } from "~/lib/result";
import { merchantRefLookupDataSchema, type AccelebitPayment } from "./response-schemas";
import { unexpected } from "./payment-outcome";

export interface MerchantRefLookup {
  /** The newest payment with this reference, or null when there is none. */
  readonly payment: AccelebitPayment | null;
  /** Older payments with the same reference (e.g. earlier attempts), newest first. */
  readonly others: readonly AccelebitPayment[];
}

export const NO_PAYMENT: MerchantRefLookup = { payment: null, others: [] };

function createdAtMs(payment: AccelebitPayment): number {
  const time = payment.createdAt === undefined ? Number.NaN : Date.parse(payment.createdAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** Newest first; without timestamps, a later position in Accelebit's list counts as newer. */
export function newestFirst(payments: readonly AccelebitPayment[]): AccelebitPayment[] {
  return payments
    .map((payment, index) => ({ payment, index }))
    .sort((a, b) => createdAtMs(b.payment) - createdAtMs(a.payment) || b.index - a.index)
    .map(({ payment }) => payment);
}

export function readMerchantRefLookup(data: unknown, httpStatus: number): Result<MerchantRefLookup, AccelebitError> {
  const parsed = merchantRefLookupDataSchema.safeParse(data);
  if (!parsed.success) return err(unexpected(httpStatus, "payment lookup", parsed.error, false));
  const list = parsed.data === null ? [] : Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const [payment = null, ...others] = newestFirst(list);
  return ok({ payment, others });
}

export function lookupNotFound(error: AccelebitError): boolean {
  return error.name === "NOT_FOUND";
}

/**
 * Which payment of a lookup is the one our lost POST created: same amount and currency,
 * and not one of the session's earlier attempts the caller already knows. Several sessions'
 * attempts may share a merchantRef, so "the newest" alone is not proof.
 */
export function findOurPayment(
  lookup: MerchantRefLookup,
  request: { amount: string; currency: string; knownEarlierAttemptIds: readonly string[] },
): AccelebitPayment | null {
  const wanted = amountToMinorUnits(request.amount);
  const candidates = [lookup.payment, ...lookup.others].filter((payment): payment is AccelebitPayment => payment !== null);
  return (
    candidates.find(
      (payment) =>
        !request.knownEarlierAttemptIds.includes(payment.id) &&
        (payment.currency === undefined || payment.currency.toUpperCase() === request.currency) &&
        (payment.amount === undefined || (isAccelebitAmount(payment.amount) && amountToMinorUnits(payment.amount) === wanted)),
    ) ?? null
  );
}
