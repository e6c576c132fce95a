import type { ActionFunctionArgs } from "@remix-run/node";
import { wakeWorker } from "~/background.server";
import { receiveConfirmation } from "~/payments/card/confirmation.server";
import { confirmationCallbackBody } from "~/payments/card/request";
import { chargeDeps } from "~/payments/charge-deps.server";
import { answerSessionRequest, methodNotAllowed } from "~/payments/session-route.server";

/** Shopify's confirmation_callback_url: the answer to our paymentSessionConfirm. */
export async function action({ request }: ActionFunctionArgs) {
  const response = await answerSessionRequest(request, confirmationCallbackBody, "confirmation", (headers, body) =>
    receiveConfirmation(headers, body, chargeDeps()),
  );
  // Shopify has our answer to the session request long ago: the decision may be delivered now.
  if (response.status < 300) wakeWorker();
  return response;
}

export const loader = methodNotAllowed;
