import type { ActionFunctionArgs } from "@remix-run/node";
import { wakeWorker } from "~/background.server";
import { receiveConfirmation } from "~/payments/card/confirmation.server";
import { plainText as text, readJsonBody } from "~/lib/http.server";
import { confirmationCallbackBody } from "~/payments/card/request";
import { describeIssues, readSessionHeaders } from "~/payments/session-request";

/** Shopify's card requests are a few kilobytes; refuse anything far larger before parsing. */
const MAX_CARD_REQUEST_BYTES = 64 * 1024;

/** Shopify's confirmation_callback_url: the answer to our paymentSessionConfirm (reference §3.4). */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return text("Method not allowed", 405);
  const headers = readSessionHeaders(request);
  if (!headers.success) return text(`Invalid headers: ${describeIssues(headers.error)}`, 400);
  const read = await readJsonBody(request, MAX_CARD_REQUEST_BYTES);
  if (!read.ok) return read.response;
  const body = confirmationCallbackBody.safeParse(read.json);
  if (!body.success) return text(`Invalid confirmation: ${describeIssues(body.error)}`, 422);
  const answer = await receiveConfirmation(headers.data, body.data);
  if (answer.status >= 300) return text(answer.body, answer.status);
  // Shopify has our answer to the session request long ago: the decision may be delivered now.
  wakeWorker();
  return new Response(null, { status: answer.status });
}

export function loader() {
  return text("Method not allowed", 405);
}
