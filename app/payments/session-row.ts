import { nextCheckFor } from "~/payments/check-schedule";
import type { PaymentGateway } from "~/payments/gateway/port";
import { parseMoney } from "~/payments/money";
import type { PaymentSessionBody, SessionHeaders } from "~/payments/session-request";

/** What every payment session request (offsite or card) shares. */
type CommonBody = Pick<
  PaymentSessionBody,
  "id" | "gid" | "group" | "session_id" | "kind" | "amount" | "currency" | "test" | "proposed_at" | "merchant_locale" | "customer"
>;

/**
 * The PaymentSession columns both intakes fill the same way from Shopify's request: its ids,
 * the money, the customer (for billing; erased by customers/redact) and the request's headers.
 * An amount the session's gateway cannot take makes the session `rejecting` from the start,
 * with the reason (Shopify needs our 2xx before it accepts a reject).
 */
export function paymentSessionRow(
  shopId: string,
  headers: SessionHeaders,
  body: CommonBody,
  gateway: Pick<PaymentGateway, "id" | "displayName" | "amountProblem">,
  openStatus: "awaiting_card" | "processing",
  { now, abandonAfterMs }: { now: Date; abandonAfterMs: number },
) {
  const billing = body.customer?.billing_address ?? null;
  const problem = amountProblem(body.amount, body.currency, gateway);
  const status = problem === null ? openStatus : "rejecting";
  // The shopper's deadline, and the sweeper's first look (docs/decisions/0004-one-sweeper.md).
  const deadlineAt = new Date(now.getTime() + abandonAfterMs);
  return {
    deadlineAt,
    nextCheckAt: problem === null ? nextCheckFor(openStatus, deadlineAt, undefined, now) : null,
    shopId,
    gateway: gateway.id,
    shopifyId: body.id,
    gid: body.gid,
    group: body.group,
    shopifySessionId: body.session_id ?? null,
    kind: body.kind,
    amount: body.amount,
    currency: body.currency,
    test: body.test,
    status,
    rejectReason: problem === null ? null : ("INVALID_CURRENCY" as const),
    merchantMessage: problem === null ? null : `${gateway.displayName} cannot take this payment: ${problem}.`,
    proposedAt: body.proposed_at ? new Date(body.proposed_at) : null,
    merchantLocale: body.merchant_locale ?? null,
    customerEmail: body.customer?.email ?? null,
    customerPhone: body.customer?.phone_number ?? billing?.phone_number ?? null,
    billingAddress: billing ? JSON.stringify(billing) : null,
    shopifyRequestId: headers.requestId,
    apiVersion: headers.apiVersion,
  };
}

/** Why the gateway cannot take this amount, or null when it can. */
function amountProblem(decimal: string, currency: string, gateway: Pick<PaymentGateway, "amountProblem">): string | null {
  const money = parseMoney(decimal, currency);
  return money.ok ? gateway.amountProblem(money.value) : money.error.message;
}
