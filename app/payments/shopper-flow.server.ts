import { logger } from "~/lib/logger";
import { wakeWorker } from "~/background.server";
import { db } from "~/db.server";
import { gateways } from "~/gateways.server";
import { gatewayOf } from "~/payments/gateway-account.server";
import { widgetForSession } from "~/payments/wallet-flow.server";
import type { SubmitOutcome } from "~/payments/charge.server";
import { AWAITING_SHOPIFY, FINAL, isStatus } from "~/payments/session-status";
import {
  bankUnavailablePage,
  bankUrlAllowed,
  cardFormPage,
  contentSecurityPolicy,
  formatCheckoutAmount,
  notFoundPage,
  processedByLine,
  threeDsPostPage,
  threeDsRedirectPage,
  waitingPage,
  walletPage,
  walletUnavailablePage,
  type PageContext,
} from "~/payments/shopper-pages.server";

type Session = NonNullable<Awaited<ReturnType<typeof loadSession>>>;
const loadSession = (token: string) =>
  db().paymentSession.findUnique({ where: { shopperToken: token }, include: { shop: { select: { domain: true, name: true } } } });

function pageContext(session: Session): PageContext {
  const shopName = session.shop.name ?? session.shop.domain.replace(/\.myshopify\.com$/, "");
  const locale = session.merchantLocale;
  return {
    shopName,
    amountText: formatCheckoutAmount(session.amount.toString(), session.currency, locale),
    cancelUrl: session.cancelUrl,
    processedBy: processedByLine(gatewayOf(gateways, session)),
  };
}

function origin(url: string | null): string[] {
  try {
    return url ? [new URL(url).origin] : [];
  } catch {
    return [];
  }
}

/**
 * Where the card form's submission may lead by redirect: back to checkout (the next-action
 * page shares the cancel URL's origin). Anything on https is allowed anyway; this covers the
 * local Shopify simulator's http origin. 3-D Secure is not a redirect of the form post: the
 * post is answered with our own page that navigates to the bank (threeDsRedirectPage).
 */
function cardFormTargets(cancelUrl: string | null): string[] {
  return origin(cancelUrl);
}

function html(body: string, status: number, formTargets: string[] = [], widgetOrigins: readonly string[] = []): Response {
  return new Response(body, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": contentSecurityPolicy(formTargets, widgetOrigins),
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
}

/** A shopper URL whose token cannot be one of ours (app/lib/text.ts): not found, without a lookup. */
export function shopperNotFound(): Response {
  return html(notFoundPage(), 404);
}

/** The page for a session in its current state (GET, and after anything that changed it). */
export async function shopperPage(token: string, options: { message?: string } = {}): Promise<Response> {
  const session = await loadSession(token);
  if (!session) return html(notFoundPage(), 404);
  const context = pageContext(session);
  const self = `/pay/${token}`;

  if (session.status === "awaiting_card") {
    const gateway = gatewayOf(gateways, session);
    if (gateway.instrument === "wallet") {
      const shown = await widgetForSession(gateway, session);
      if (!shown.ok) return html(walletUnavailablePage(context, shown.message), 200);
      const page = walletPage({ ...context, actionUrl: self, gatewayName: gateway.displayName, widget: shown.widget, message: options.message });
      return html(page, 200, cardFormTargets(session.cancelUrl), shown.widget.origins);
    }
    return html(cardFormPage({ ...context, actionUrl: self, message: options.message }), 200, cardFormTargets(session.cancelUrl));
  }
  if (session.status === "three_ds") return seeOther(`${self}/return`);
  if (session.nextActionUrl && (isStatus(session.status, FINAL) || session.shopifyState)) return seeOther(session.nextActionUrl);
  if (session.status === "processing") return html(waitingPage(context, "Processing your payment", "We are confirming your payment with your bank."), 200);
  if (isStatus(session.status, AWAITING_SHOPIFY) || isStatus(session.status, FINAL)) {
    return html(waitingPage(context, "Finishing your payment", "Your payment is being confirmed with the shop."), 200);
  }
  return html(waitingPage(context, "Processing your payment", "Please wait."), 200);
}

/** After a decision, give Shopify a moment to acknowledge so the shopper goes straight on. */
async function awaitAcknowledgement(token: string, timeoutMs = 5_000): Promise<void> {
  wakeWorker();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const session = await db().paymentSession.findUnique({ where: { shopperToken: token }, select: { nextActionUrl: true, status: true } });
    // Acknowledged, or nothing to acknowledge (the shopper can try another card).
    if (!session || session.nextActionUrl || !isStatus(session.status, AWAITING_SHOPIFY)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** While another submission of the same session is being charged, wait for its result. */
async function awaitSettled(token: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const session = await db().paymentSession.findUnique({ where: { shopperToken: token }, select: { status: true } });
    if (session?.status !== "processing") return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The response to a card submission or a 3-D Secure return. */
export async function respondToOutcome(token: string, outcome: SubmitOutcome | { kind: "still-pending" }): Promise<Response> {
  switch (outcome.kind) {
    case "not-found":
      return html(notFoundPage(), 404);
    case "invalid": {
      const session = await loadSession(token);
      if (!session) return html(notFoundPage(), 404);
      if (session.status !== "awaiting_card") return shopperPage(token);
      const page = cardFormPage({ ...pageContext(session), actionUrl: `/pay/${token}`, errors: outcome.errors, holderName: outcome.holderName });
      return html(page, 422, cardFormTargets(session.cancelUrl));
    }
    case "busy":
      // Another submission of this session is being charged: show its result, not a second charge.
      await awaitSettled(token);
      await awaitAcknowledgement(token);
      return shopperPage(token);
    case "try-again":
      return shopperPage(token, { message: outcome.message });
    case "three-ds": {
      const data = outcome.challenge;
      const session = await loadSession(token);
      if (!session) return html(notFoundPage(), 404);
      if (!bankUrlAllowed(data.redirectUrl)) {
        logger.warn({ paymentSessionId: session.id }, "3-D Secure page refused: not https");
        return html(bankUnavailablePage(pageContext(session)), 200);
      }
      if (data.method === "GET") return html(threeDsRedirectPage(pageContext(session), data.redirectUrl), 200);
      return html(threeDsPostPage(pageContext(session), data.redirectUrl, data.parameters ?? {}), 200, origin(data.redirectUrl));
    }
    case "still-pending": {
      const session = await loadSession(token);
      if (!session) return html(notFoundPage(), 404);
      return html(waitingPage(pageContext(session), "Waiting for your bank", "We are waiting for your bank to confirm this payment.", 3), 200);
    }
    case "resolving":
    case "rejecting":
    case "pending":
      await awaitAcknowledgement(token);
      return shopperPage(token);
    case "confirming":
    case "unchanged":
      return shopperPage(token);
  }
}
