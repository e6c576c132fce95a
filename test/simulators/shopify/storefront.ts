import type { IncomingMessage, ServerResponse } from "node:http";
import { html, type SafeHtml } from "./html";
import { BodyTooLargeError, readBody, sendHtml } from "./http-utils";
import { createPaymentSession, deliverSession, type DeliveryResult, type PaymentSessionBody, type SimulatedSessionRequest } from "./session-requests";
import type { SimulatorStore } from "./store";
import { DEFAULT_CHECKOUT_FORM, readCheckoutForm, validateCheckoutForm } from "./storefront-form";
import { checkoutFormPage, paymentStartFailedPage, storeListPage, storeNotFoundPage } from "./storefront-pages";

/**
 * A simulated storefront checkout, so the offsite flow can be walked in a browser without Shopify:
 *
 *   GET  /__sim/store                  → registered shops, linked
 *   GET  /__sim/store/:shop            → checkout form ("Pay with Accelebit", and a button per
 *                                        further payments extension, e.g. "Pay with Accrue")
 *   POST /__sim/store/:shop/checkout   → payment session built and sent like Shopify's, then
 *                                        303 to the app's redirect_url, or an error page
 */

export interface StorefrontDeps {
  store: SimulatorStore;
  baseUrl: string;
  /** Where payment sessions go: the app's payment_session_url. */
  appPaymentSessionUrl: string | null;
  /** Further payments extensions: button name → payment_session_url. */
  otherPaymentSessionUrls: ReadonlyMap<string, string>;
}

const STORE_PATH = /^\/__sim\/store\/([^/]+)(\/checkout)?$/;

/** Shopify refuses longer redirect URLs (reference §2.3). */
const MAX_REDIRECT_URL_BYTES = 8192;

export function isStorefrontPath(path: string): boolean {
  return path === "/__sim/store" || path === "/__sim/store/" || STORE_PATH.test(path);
}

export async function handleStorefrontRequest(request: IncomingMessage, response: ServerResponse, path: string, deps: StorefrontDeps): Promise<void> {
  const method = request.method ?? "GET";
  const match = STORE_PATH.exec(path);
  if (match === null) {
    if (method !== "GET") return methodNotAllowed(response, "GET");
    return sendHtml(response, 200, storeListPage(deps.store.shops(), deps.appPaymentSessionUrl));
  }

  const shop = safeDecode(match[1] ?? "");
  const isCheckout = match[2] !== undefined;
  if (method !== (isCheckout ? "POST" : "GET")) return methodNotAllowed(response, isCheckout ? "POST" : "GET");
  if (!deps.store.hasShop(shop)) return sendHtml(response, 404, storeNotFoundPage(shop));
  if (!isCheckout)
    return sendHtml(response, 200, checkoutFormPage(shop, DEFAULT_CHECKOUT_FORM, {}, deps.appPaymentSessionUrl, [...deps.otherPaymentSessionUrls.keys()]));
  return checkout(request, response, shop, deps);
}

async function checkout(request: IncomingMessage, response: ServerResponse, shop: string, deps: StorefrontDeps): Promise<void> {
  let body: string;
  try {
    body = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendHtml(response, 413, paymentStartFailedPage(shop, html`<p>The checkout form was too large.</p>`));
    throw error;
  }
  const values = readCheckoutForm(body);
  const result = validateCheckoutForm(values);
  // 422 keeps the re-rendered form distinguishable from a fresh one for tests; browsers show it as usual.
  if (!result.ok)
    return sendHtml(response, 422, checkoutFormPage(shop, values, result.errors, deps.appPaymentSessionUrl, [...deps.otherPaymentSessionUrls.keys()]));

  const provider = new URLSearchParams(body).get("provider");
  const sessionUrl = provider ? (deps.otherPaymentSessionUrls.get(provider) ?? null) : deps.appPaymentSessionUrl;
  if (sessionUrl === null) {
    const detail = html`<p>The simulator does not know the app's payment session URL: set appPaymentSessionUrl or SIM_APP_PAYMENT_SESSION_URL.</p>`;
    return sendHtml(response, 503, paymentStartFailedPage(shop, detail));
  }

  // createPaymentSession registers the session, so the app's later resolve/reject/pending on it is accepted.
  const session = createPaymentSession(deps.store, deps.baseUrl, { shop, paymentMethodType: "offsite", ...result.order });
  const outcome = await send(deps, sessionUrl, session);
  if (outcome.redirectUrl !== null) {
    // 303 so the browser GETs the app's page, as Shopify's redirect to redirect_url does.
    response.writeHead(303, { location: outcome.redirectUrl });
    response.end();
    return;
  }
  sendHtml(
    response,
    502,
    paymentStartFailedPage(
      shop,
      html`${outcome.problem}
        <p>Shopify-Request-Id: <code>${session.headers["Shopify-Request-Id"]}</code></p>`,
    ),
  );
}

type SendOutcome = { redirectUrl: string; problem?: never } | { redirectUrl: null; problem: SafeHtml };

/**
 * Sends the session once. Shopify retries failed requests a few times (reference §2.5); a single try
 * keeps the error page immediate and the app's request log predictable in tests.
 * The app's answer body is never shown: it may hold a stack trace or secrets.
 */
async function send(deps: StorefrontDeps, url: string, session: SimulatedSessionRequest<PaymentSessionBody>): Promise<SendOutcome> {
  let delivery: DeliveryResult;
  try {
    delivery = await deliverSession(deps.store, url, session);
  } catch (error) {
    return { redirectUrl: null, problem: html`<p>The payment app could not be reached (<span data-testid="app-error">${networkProblem(error)}</span>).</p>` };
  }
  const statusLine = html`<span data-testid="app-status">${delivery.status}</span>`;
  if (delivery.status < 200 || delivery.status > 299) {
    return { redirectUrl: null, problem: html`<p>The payment app answered with HTTP status ${statusLine}.</p>` };
  }
  const redirectUrl = usableRedirectUrl(delivery.body);
  if (redirectUrl === null) {
    return {
      redirectUrl: null,
      problem: html`<p>The payment app answered with HTTP status ${statusLine} but without a usable <code>redirect_url</code>.</p>`,
    };
  }
  return { redirectUrl };
}

/** Shopify's rules for the offsite answer: `{"redirect_url": "<absolute http(s) URL>"}`, under 8192 bytes. */
function usableRedirectUrl(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("redirect_url" in body)) return null;
  const url = body.redirect_url;
  if (typeof url !== "string" || Buffer.byteLength(url) >= MAX_REDIRECT_URL_BYTES) return null;
  // Control characters would be stripped by URL parsing yet make the Location header invalid.
  if ([...url].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

/** fetch says only "fetch failed" and hides the reason in `cause`: a code such as ECONNREFUSED, or a message. */
function networkProblem(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "no answer in time";
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string" && cause.message !== "") return cause.message;
  return error.message;
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  response.writeHead(405, { allow, "content-type": "text/plain; charset=utf-8" });
  response.end("Method Not Allowed");
}

/** A malformed escape is just an unknown shop, not a simulator error. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
