import type { AmountFormatError, Result } from "~/accelebit";
import { nextCheckFor } from "~/payments/check-schedule";
import { rejectReasonFor } from "~/payments/reject-reasons";
import type { PaymentSessionBody, SessionHeaders } from "~/payments/session-request";

/** What every payment session request (offsite or card) shares. */
type CommonBody = Pick<
  PaymentSessionBody,
  "id" | "gid" | "group" | "session_id" | "kind" | "amount" | "currency" | "test" | "proposed_at" | "merchant_locale" | "customer"
>;

/**
 * The PaymentSession columns both intakes fill the same way from Shopify's request: its ids,
 * the money, the customer (for billing; erased by customers/redact) and the request's headers.
 * An amount Accelebit cannot express makes the session `rejecting` from the start, with the reason.
 */
export function paymentSessionRow(
  shopId: string,
  headers: SessionHeaders,
  body: CommonBody,
  amount: Result<string, AmountFormatError>,
  openStatus: "awaiting_card" | "processing",
  { now, abandonAfterMs }: { now: Date; abandonAfterMs: number },
) {
  const billing = body.customer?.billing_address ?? null;
  const status = amount.ok ? openStatus : "rejecting";
  // The shopper's deadline, and the sweeper's first look (docs/decisions/0004-one-sweeper.md).
  const deadlineAt = new Date(now.getTime() + abandonAfterMs);
  return {
    deadlineAt,
    nextCheckAt: amount.ok ? nextCheckFor(openStatus, deadlineAt, undefined, now) : null,
    shopId,
    shopifyId: body.id,
    gid: body.gid,
    group: body.group,
    shopifySessionId: body.session_id ?? null,
    kind: body.kind,
    amount: body.amount,
    currency: body.currency,
    test: body.test,
    status,
    rejectReason: amount.ok ? null : rejectReasonFor({ kind: "unsupported-currency" }),
    merchantMessage: amount.ok ? null : `Accelebit cannot take this payment: ${amount.error.message}.`,
    proposedAt: body.proposed_at ? new Date(body.proposed_at) : null,
    merchantLocale: body.merchant_locale ?? null,
    customerEmail: body.customer?.email ?? null,
    customerPhone: body.customer?.phone_number ?? billing?.phone_number ?? null,
    billingAddress: billing ? JSON.stringify(billing) : null,
    shopifyRequestId: headers.requestId,
    apiVersion: headers.apiVersion,
  };
}
