import type { ActionFunctionArgs } from "@remix-run/node";
import { chargeDeps } from "~/payments/charge-deps.server";
import { refundSessionBody } from "~/payments/finalized-session-request";
import { receiveRefundSession } from "~/payments/refunds.server";
import { answerSessionRequest, methodNotAllowed } from "~/payments/session-route.server";

/** Shopify's refund_session_url of the Accrue extension: validate, store idempotently, answer 201 with an empty body; a job finishes it. */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, refundSessionBody, "refund session", (headers, body) => receiveRefundSession(headers, body, "accrue", chargeDeps()));
}

export const loader = methodNotAllowed;
