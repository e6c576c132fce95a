import type { ActionFunctionArgs } from "@remix-run/node";
import { refundSessionBody } from "~/payments/finalized-session-request";
import { plainText as text } from "~/lib/http.server";
import { answerSessionRequest } from "~/payments/finalized-sessions.server";
import { receiveRefundSession } from "~/payments/refunds.server";

/** Shopify's refund_session_url: validate, store idempotently, answer 201 with an empty body; a job finishes it. */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, refundSessionBody, "refund session", (headers, body) => receiveRefundSession(headers, body));
}

export function loader() {
  return text("Method not allowed", 405);
}
