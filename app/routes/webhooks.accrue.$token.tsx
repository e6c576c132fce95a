import type { ActionFunctionArgs } from "@remix-run/node";
import { wakeWorker } from "~/background.server";
import { plainText, readBodyText } from "~/lib/http.server";
import { isUrlToken } from "~/lib/text";
import { chargeDeps } from "~/payments/charge-deps.server";
import { receiveGatewayWebhook } from "~/payments/gateway-events.server";

/**
 * Accrue webhooks for one shop: the path's token says which shop (the app registers this URL
 * with Accrue at setup). Verified over the raw bytes (docs/decisions/accrue-a11-webhook-verification.md).
 */
export async function action({ request, params }: ActionFunctionArgs) {
  if (!isUrlToken(params.token ?? "")) return plainText("Unknown webhook URL", 404);
  const rawBody = await readBodyText(request, 256 * 1024);
  const answer = await receiveGatewayWebhook("accrue", params.token ?? "", rawBody, request.headers, chargeDeps());
  if (answer.status === 200) wakeWorker();
  return new Response(answer.body, { status: answer.status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
