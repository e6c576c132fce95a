import { db } from "~/db.server";
import type { PaymentSessionThreeDSecureAuthentication } from "~/shopify/payments-apps";

/**
 * `authentication` for paymentSessionResolve / paymentSessionReject of a card session: present
 * if and only if paymentSessionRedirect was called for it (docs/decisions/shopify-3ds-authentication.md).
 *
 * Accelebit reports only the outcome of its challenge page (captured or failed), no EMV
 * status, version or DS transaction id, so the values say no more than that:
 * - the shopper was sent to a challenge: flow CHALLENGE; the protocol version is not reported: UNKNOWN;
 * - passed (Accelebit captured or authorized): transStatus Y, liability UNKNOWN (it may have shifted);
 * - failed: transStatus N with reason 01 (card authentication failed), liability MERCHANT (UNKNOWN is not allowed with N);
 * - never answered (the shopper left the challenge): transStatus U with reason 14 (timed out at the ACS), liability MERCHANT.
 */
export function authenticationFor(gatewayStatus: string | null): PaymentSessionThreeDSecureAuthentication {
  const common = { authenticationFlow: "CHALLENGE", version: "UNKNOWN" } as const;
  if (gatewayStatus === "captured" || gatewayStatus === "authorized") {
    return { authenticationData: { ...common, transStatus: "Y", chargebackLiability: "UNKNOWN" } };
  }
  if (gatewayStatus === "failed") {
    return { authenticationData: { ...common, transStatus: "N", transStatusReason: "01", chargebackLiability: "MERCHANT" } };
  }
  if (gatewayStatus === "action_required") {
    return { authenticationData: { ...common, transStatus: "U", transStatusReason: "14", chargebackLiability: "MERCHANT" } };
  }
  return { partnerError: "PROCESSING_ERROR" };
}

/** Whether Shopify accepted our paymentSessionRedirect for this session (recorded by the redirect job). */
export async function wasRedirected(paymentSessionId: string): Promise<boolean> {
  const event = await db().sessionEvent.findFirst({ where: { paymentSessionId, kind: "three_ds.redirect" }, select: { id: true } });
  return event !== null;
}

/** The extra arguments of resolve / reject for a card session: `{ authentication }` after a redirect, else nothing. */
export async function cardFinalizeArguments(session: {
  id: string;
  paymentMethodType: string;
  gatewayStatus: string | null;
}): Promise<{ authentication?: PaymentSessionThreeDSecureAuthentication }> {
  if (session.paymentMethodType !== "credit_card" || !(await wasRedirected(session.id))) return {};
  return { authentication: authenticationFor(session.gatewayStatus) };
}
