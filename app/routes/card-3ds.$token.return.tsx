import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { cardThreeDsReturn } from "~/payments/card/three-ds.server";
import { chargeDeps } from "~/payments/charge-deps.server";

/** Where Accelebit sends the shopper after the challenge (GET or POST); the payment is re-read, nothing here is trusted. */
export const loader = ({ params }: LoaderFunctionArgs) => cardThreeDsReturn(params.token ?? "", chargeDeps());
export const action = ({ params }: ActionFunctionArgs) => cardThreeDsReturn(params.token ?? "", chargeDeps());
