import { wakeWorker } from "~/background.server";
import { db } from "~/db.server";
import { gateways } from "~/gateways.server";
import { config } from "~/lib/config.server";
import { finishThreeDs, type ChargeDeps } from "~/payments/charge.server";
import { accountForSession, gatewayOf } from "~/payments/gateway-account.server";
import { AWAITING_SHOPIFY, FINAL, isStatus } from "~/payments/session-status";
import {
  bankUnavailablePage,
  bankUrlAllowed,
  contentSecurityPolicy,
  formatCheckoutAmount,
  leaveFramePage,
  notFoundPage,
  processedByLine,
  threeDsPostPage,
  waitingPage,
  type PageContext,
} from "~/payments/shopper-pages.server";

/**
 * The 3-D Secure page of a card session: the URL we give Shopify in paymentSessionRedirect,
 * shown to the shopper inside checkout. It forwards to Accelebit's challenge (GET or POST) and,
 * when the shopper comes back, re-reads the payment from Accelebit (nothing in the return
 * request is trusted): passed → Shopify is asked to confirm and the shopper goes on to its
 * nextAction; failed → rejected with AUTHENTICATION_FAILED.
 */

type Session = NonNullable<Awaited<ReturnType<typeof loadSession>>>;
const loadSession = (token: string) =>
  db().paymentSession.findFirst({
    where: { shopperToken: token, paymentMethodType: "credit_card" },
    include: { shop: { select: { domain: true, name: true } }, attempts: { orderBy: { number: "desc" }, take: 1 } },
  });

/** Checkout may frame the 3-D Secure page; SHOPIFY_PAYMENTS_API_ORIGIN adds the simulator's origin in tests. */
export function frameAncestors(): string {
  const shopifyOrigin = config().SHOPIFY_PAYMENTS_API_ORIGIN;
  return ["https://*.myshopify.com", "https://checkout.shopify.com", ...(shopifyOrigin ? [new URL(shopifyOrigin).origin] : [])].join(" ");
}

function html(body: string, status: number, formTargets: string[] = []): Response {
  return new Response(body, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": contentSecurityPolicy(formTargets).replace("frame-ancestors 'none'", `frame-ancestors ${frameAncestors()}`),
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

const seeOther = (location: string) => new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });

/** On to Shopify: the whole window leaves the checkout frame this page may be shown in. */
function toShopify(session: Session, url: string): Response {
  return html(leaveFramePage(pageContext(session), url), 200, [new URL(url).origin]);
}

function pageContext(session: Session): PageContext {
  const shopName = session.shop.name ?? session.shop.domain.replace(/\.myshopify\.com$/, "");
  return {
    shopName,
    amountText: formatCheckoutAmount(session.amount.toString(), session.currency, session.merchantLocale),
    cancelUrl: null,
    processedBy: processedByLine(gatewayOf(gateways, session)),
  };
}

const waiting = (session: Session, title: string, text: string) => html(waitingPage(pageContext(session), title, text), 200);

/** GET /card-3ds/:token — what the shopper sees when Shopify shows our redirect URL. */
export async function cardThreeDsPage(token: string, deps: ChargeDeps): Promise<Response> {
  const session = await loadSession(token);
  if (!session) return html(notFoundPage(), 404);
  if (session.status === "confirming") return confirmingPage(session);
  if (session.status !== "three_ds") return settledPage(session);

  const attempt = session.attempts[0];
  const account = await accountForSession(deps, session);
  if (!attempt?.gatewayPaymentId || !account.ok) return waiting(session, "Waiting for your bank", "Please wait.");
  const read = await account.value.retrieve(attempt.gatewayPaymentId);
  if (!read.ok) return waiting(session, "Waiting for your bank", "We could not reach your bank yet.");
  if (read.value.status !== "action_required") return cardThreeDsReturn(token, deps);
  const challenge = read.value.action;
  if (!challenge) return waiting(session, "Waiting for your bank", "Please wait.");
  if (!bankUrlAllowed(challenge.redirectUrl)) return html(bankUnavailablePage(pageContext(session)), 200);
  if (challenge.method === "GET") return seeOther(challenge.redirectUrl);
  return html(threeDsPostPage(pageContext(session), challenge.redirectUrl, challenge.parameters), 200, [new URL(challenge.redirectUrl).origin]);
}

/**
 * GET or POST /card-3ds/:token/return — Accelebit sends the shopper back here after the
 * challenge. The session's latest attempt is re-read (nothing in the request is trusted) and
 * what Accelebit says is decided like any other path: passed → Shopify is asked to confirm
 * (a job), and the shopper goes on to Shopify's next action once it answers.
 */
export async function cardThreeDsReturn(token: string, deps: ChargeDeps): Promise<Response> {
  const session = await loadSession(token);
  if (!session) return html(notFoundPage(), 404);
  if (session.status === "confirming") return confirmingPage(session);
  if (session.status !== "three_ds") return settledPage(session);
  // The same re-read and decision as an offsite session's return.
  const outcome = await finishThreeDs(token, deps);
  if (outcome.kind === "still-pending") return waiting(session, "Waiting for your bank", "We are waiting for your bank to confirm this payment.");
  const updated = await loadSession(token);
  if (!updated) return html(notFoundPage(), 404);
  return updated.status === "confirming" ? confirmingPage(updated) : settledPage(updated);
}

/** 3-D Secure passed: the confirm job asks Shopify (its answer arrives at /shopify/card/confirm); the shopper goes on to nextAction. */
async function confirmingPage(session: Session): Promise<Response> {
  const url = session.nextActionUrl ?? (await waitFor(session.id, (row) => row.nextActionUrl !== null || row.status !== "confirming"));
  if (url) return toShopify(session, url);
  return waiting(session, "Finishing your payment", "Your payment is being confirmed with the shop.");
}

/** Wakes the worker and waits a moment for Shopify's answer, so the shopper usually goes straight on. */
async function waitFor(sessionId: string, done: (row: { nextActionUrl: string | null; status: string }) => boolean, timeoutMs = 5_000): Promise<string | null> {
  wakeWorker();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const row = await db().paymentSession.findUnique({ where: { id: sessionId }, select: { nextActionUrl: true, status: true } });
    if (!row || done(row)) return row?.nextActionUrl ?? null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** Decided (or being decided): wait briefly for Shopify's acknowledgement, then send the shopper on. */
async function settledPage(session: Session): Promise<Response> {
  if (isStatus(session.status, AWAITING_SHOPIFY) && !session.nextActionUrl) {
    const url = await waitFor(session.id, (row) => row.nextActionUrl !== null || !isStatus(row.status, AWAITING_SHOPIFY));
    if (url) return toShopify(session, url);
  }
  if (session.nextActionUrl && (isStatus(session.status, FINAL) || isStatus(session.status, AWAITING_SHOPIFY)))
    return toShopify(session, session.nextActionUrl);
  return waiting(session, "Finishing your payment", "Your payment is being confirmed with the shop.");
}
