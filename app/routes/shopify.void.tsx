import type { ActionFunctionArgs } from "@remix-run/node";
import { voidSessionBody } from "~/payments/finalized-session-request";
import { plainText as text } from "~/lib/http.server";
import { answerSessionRequest } from "~/payments/finalized-sessions.server";
import { receiveVoidSession } from "~/payments/voids.server";

/** Shopify's void_session_url: validate, store idempotently, answer 201 with an empty body; a job finishes it. */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, voidSessionBody, "void session", (headers, body) => receiveVoidSession(headers, body));
}

export function loader() {
  return text("Method not allowed", 405);
}
