import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { readBodyText } from "~/lib/http.server";
import { submitPayment } from "~/payments/charge.server";
import { chargeDeps } from "~/payments/charge-deps.server";
import { respondToOutcome, shopperNotFound, shopperPage } from "~/payments/shopper-flow.server";
import { isUrlToken } from "~/lib/text";

/** The shopper's page (the redirect_url we gave Shopify): a card form, or a wallet gateway's widget. */
export function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  return isUrlToken(token) ? shopperPage(token) : shopperNotFound();
}

/** A card submission (the card exists only in this request's memory), or a wallet intent's id. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  if (!isUrlToken(token)) return shopperNotFound();
  let fields: Record<string, string>;
  try {
    fields = Object.fromEntries(new URLSearchParams(await readBodyText(request, 8 * 1024)));
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  const clientIp = (context as { clientIp?: string | null }).clientIp ?? null;
  return respondToOutcome(token, await submitPayment(token, fields, clientIp, chargeDeps()));
}
