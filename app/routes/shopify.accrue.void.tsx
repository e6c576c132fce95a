import type { ActionFunctionArgs } from "@remix-run/node";
import { chargeDeps } from "~/payments/charge-deps.server";
import { voidSessionBody } from "~/payments/finalized-session-request";
import { receiveVoidSession } from "~/payments/voids.server";
import { answerSessionRequest, methodNotAllowed } from "~/payments/session-route.server";

/** Shopify's void_session_url of the Accrue extension: validate, store idempotently, answer 201 with an empty body; a job finishes it. */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, voidSessionBody, "void session", (headers, body) => receiveVoidSession(headers, body, "accrue", chargeDeps()));
}

export const loader = methodNotAllowed;
