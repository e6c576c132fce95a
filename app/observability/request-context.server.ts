import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/**
 * What every log line of a request carries: our request id, Shopify's request id, the shop
 * and, once known, the payment session. Set by server.js around each request (through the
 * build's entry module) and read by the logger's mixin, so no module has to pass it along.
 */
export interface RequestContext {
  requestId: string;
  shopifyRequestId?: string;
  shop?: string;
  paymentSessionId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export function runWithRequestContext<T>(headers: { get(name: string): string | null | undefined }, fn: () => T): T {
  const context: RequestContext = {
    requestId: randomUUID(),
    shopifyRequestId: headers.get("shopify-request-id") ?? undefined,
    shop: headers.get("shopify-shop-domain") ?? undefined,
  };
  return storage.run(context, fn);
}

/** Adds what a handler learns (the shop, the payment session) to the rest of the request's log lines. */
export function annotateRequest(fields: Partial<Omit<RequestContext, "requestId">>) {
  const context = storage.getStore();
  if (context) Object.assign(context, fields);
}
