import type { ActionFunctionArgs } from "@remix-run/node";
import { gateways } from "~/gateways.server";
import { config } from "~/lib/config.server";
import { secretBox } from "~/lib/secret-box.server";
import { receiveCardSession } from "~/payments/card/intake.server";
import { cardSessionBody } from "~/payments/card/request";
import { answerSessionRequest, methodNotAllowed } from "~/payments/session-route.server";

/**
 * Shopify's payment_session_url of the Accelebit credit-card extension: validate, store
 * idempotently, answer 201 with an empty body; a job decrypts and charges the card afterwards.
 * The body is never logged: it holds encrypted card data and personal data.
 */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, cardSessionBody, "payment session", (headers, body) =>
    receiveCardSession(headers, body, gateways("accelebit"), { box: secretBox(), abandonAfterMs: config().ABANDON_AFTER_MINUTES * 60_000 }),
  );
}

export const loader = methodNotAllowed;
