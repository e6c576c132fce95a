import type { ActionFunctionArgs } from "@remix-run/node";
import { config } from "~/lib/config.server";
import { secretBox } from "~/lib/secret-box.server";
import { plainText as text, readJsonBody } from "~/lib/http.server";
import { receiveCardSession } from "~/payments/card/intake.server";
import { cardSessionBody } from "~/payments/card/request";
import { describeIssues, readSessionHeaders } from "~/payments/session-request";

/** Shopify's card requests are a few kilobytes; refuse anything far larger before parsing. */
const MAX_CARD_REQUEST_BYTES = 64 * 1024;

/**
 * Shopify's payment_session_url for the credit-card extension: validate, store idempotently,
 * answer 201 with an empty body. The card is decrypted and charged by a job afterwards.
 * The body is never logged: it holds encrypted card data and personal data.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return text("Method not allowed", 405);
  const headers = readSessionHeaders(request);
  if (!headers.success) return text(`Invalid headers: ${describeIssues(headers.error)}`, 400);
  const read = await readJsonBody(request, MAX_CARD_REQUEST_BYTES);
  if (!read.ok) return read.response;
  const body = cardSessionBody.safeParse(read.json);
  if (!body.success) return text(`Invalid payment session: ${describeIssues(body.error)}`, 422);

  const answer = await receiveCardSession(headers.data, body.data, { box: secretBox(), abandonAfterMs: config().ABANDON_AFTER_MINUTES * 60_000 });
  return answer.status < 300 ? new Response(null, { status: answer.status }) : text(answer.body, answer.status);
}

export function loader() {
  return text("Method not allowed", 405);
}
