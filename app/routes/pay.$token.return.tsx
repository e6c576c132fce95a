import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { finishThreeDs } from "~/payments/charge.server";
import { chargeDeps } from "~/payments/charge-deps.server";
import { isUrlToken } from "~/lib/text";
import { respondToOutcome, shopperNotFound } from "~/payments/shopper-flow.server";

/**
 * Where Accelebit sends the shopper after 3-D Secure (GET or POST). Nothing in the request
 * is trusted: the payment is re-read from Accelebit.
 */
async function handle(token: string) {
  if (!isUrlToken(token)) return shopperNotFound();
  return respondToOutcome(token, await finishThreeDs(token, chargeDeps()));
}

export const loader = ({ params }: LoaderFunctionArgs) => handle(params.token ?? "");
export const action = ({ params }: ActionFunctionArgs) => handle(params.token ?? "");
