import type { LoaderFunctionArgs } from "@remix-run/node";
import { cardThreeDsPage } from "~/payments/card/three-ds.server";
import { chargeDeps } from "~/payments/charge-deps.server";

/** The 3-D Secure page Shopify shows the shopper of a card session (paymentSessionRedirect's URL). */
export const loader = ({ params }: LoaderFunctionArgs) => cardThreeDsPage(params.token ?? "", chargeDeps());
