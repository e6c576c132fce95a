import type { ActionFunctionArgs } from "@remix-run/node";
import { config } from "~/lib/config.server";
import { plainText as text, readJsonBody } from "~/lib/http.server";
import { receivePaymentSession } from "~/payments/intake.server";
import { describeIssues, paymentSessionBody, readSessionHeaders } from "~/payments/session-request";

/** A payment session request is a few kilobytes; refuse anything far larger before parsing. */
const MAX_SESSION_BYTES = 64 * 1024;

/** Shopify's payment_session_url (offsite): validate, store idempotently, answer the card page's URL. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return text("Method not allowed", 405);
  const headers = readSessionHeaders(request);
  if (!headers.success) return text(`Invalid headers: ${describeIssues(headers.error)}`, 400);

  const read = await readJsonBody(request, MAX_SESSION_BYTES);
  if (!read.ok) return read.response;
  const body = paymentSessionBody.safeParse(read.json);
  if (!body.success) return text(`Invalid payment session: ${describeIssues(body.error)}`, 422);

  const settings = config();
  const answer = await receivePaymentSession(headers.data, body.data, {
    appUrl: settings.SHOPIFY_APP_URL,
    abandonAfterMs: settings.ABANDON_AFTER_MINUTES * 60_000,
  });
  const isJson = answer.status < 300;
  return new Response(answer.body, { status: answer.status, headers: { "Content-Type": isJson ? "application/json" : "text/plain; charset=utf-8" } });
}

export function loader() {
  return text("Method not allowed", 405);
}
