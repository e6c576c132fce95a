import type { LoaderFunctionArgs } from "@remix-run/node";
import { isUrlToken } from "~/lib/text";
import { cardThreeDsPage } from "~/payments/card/three-ds.server";
import { chargeDeps } from "~/payments/charge-deps.server";
import { shopperNotFound } from "~/payments/shopper-flow.server";

/** The 3-D Secure page Shopify shows the shopper of a card session (paymentSessionRedirect's URL). */
export const loader = ({ params }: LoaderFunctionArgs) => (isUrlToken(params.token ?? "") ? cardThreeDsPage(params.token!, chargeDeps()) : shopperNotFound());
