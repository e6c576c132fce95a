import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { isUrlToken } from "~/lib/text";
import { cardThreeDsReturn } from "~/payments/card/three-ds.server";
import { chargeDeps } from "~/payments/charge-deps.server";
import { shopperNotFound } from "~/payments/shopper-flow.server";

/** Where Accelebit sends the shopper after the challenge (GET or POST); the payment is re-read, nothing here is trusted. */
const handle = (token: string) => (isUrlToken(token) ? cardThreeDsReturn(token, chargeDeps()) : shopperNotFound());
export const loader = ({ params }: LoaderFunctionArgs) => handle(params.token ?? "");
export const action = ({ params }: ActionFunctionArgs) => handle(params.token ?? "");
