import type { ActionFunctionArgs } from "@remix-run/node";
import { gateways } from "~/gateways.server";
import { config } from "~/lib/config.server";
import { receivePaymentSession } from "~/payments/intake.server";
import { paymentSessionBody } from "~/payments/session-request";
import { answerSessionRequest, methodNotAllowed } from "~/payments/session-route.server";

/** Shopify's payment_session_url of the Accrue offsite extension: validate, store idempotently, answer the shopper page's URL. */
export function action({ request }: ActionFunctionArgs) {
  const settings = config();
  return answerSessionRequest(request, paymentSessionBody, "payment session", (headers, body) =>
    receivePaymentSession(headers, body, gateways("accrue"), {
      appUrl: settings.SHOPIFY_APP_URL,
      abandonAfterMs: settings.ABANDON_AFTER_MINUTES * 60_000,
    }),
  );
}

export const loader = methodNotAllowed;
