import { wakeWorker } from "~/background.server";
import { db } from "~/db.server";
import { config } from "~/lib/config.server";
import { rereadAfterThreeDs, type ChargeDeps } from "~/payments/charge.server";
import { applyPayment } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { AWAITING_SHOPIFY, FINAL, isStatus } from "~/payments/session-status";
import {
  bankUnavailablePage,
  bankUrlAllowed,
  contentSecurityPolicy,
  formatAmount,
  leaveFramePage,
  notFoundPage,
  threeDsPostPage,
  waitingPage,
  type PageContext,
} from "~/payments/shopper-pages.server";
import { recordEvent } from "~/payments/timeline.server";
import { paymentsAppsClientFor } from "~/shopify/payments-apps.server";

/**
 * The 3-D Secure page of a card session: the URL we give Shopify in paymentSessionRedirect,
 * shown to the shopper inside checkout. It forwards to Accelebit's challenge (GET or POST) and,
 * when the shopper comes back, re-reads the payment from Accelebit (nothing in the return
 * request is trusted): passed → paymentSessionConfirm and on to Shopify's nextAction; failed →
 * rejected with AUTHENTICATION_FAILED.
 */

type Session = NonNullable<Awaited<ReturnType<typeof loadSession>>>;
const loadSession = (token: string) =>
  db().paymentSession.findFirst({
    where: { shopperToken: token, paymentMethodType: "credit_card" },
    include: { shop: { select: { domain: true, name: true } }, attempts: { orderBy: { number: "desc" }, take: 1 } },
  });

/** Checkout may frame the page (reference §5.6); SHOPIFY_PAYMENTS_API_ORIGIN adds the simulator's origin in tests. */
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
  return { shopName, amountText: formatAmount(session.amount.toString(), session.currency, session.merchantLocale), cancelUrl: null };
}

const waiting = (session: Session, title: string, text: string) => html(waitingPage(pageContext(session), title, text), 200);

/** GET /card-3ds/:token — what the shopper sees when Shopify shows our redirect URL. */
export async function cardThreeDsPage(token: string, deps: ChargeDeps): Promise<Response> {
  const session = await loadSession(token);
  if (!session) return html(notFoundPage(), 404);
  if (session.status !== "three_ds") return settledPage(session);
  if (passed(session)) return confirmWithShopify(session);

  const attempt = session.attempts[0];
  const account = await accountForSession(deps, session);
  if (!attempt?.accelebitPaymentId || !account.ok) return waiting(session, "Waiting for your bank", "Please wait.");
  const read = await account.value.retrievePayment(attempt.accelebitPaymentId);
  if (!read.ok) return waiting(session, "Waiting for your bank", "We could not reach your bank yet.");
  if (read.value.status !== "pending_3ds") return cardThreeDsReturn(token, deps);
  const challenge = read.value.threeDsData;
  if (!challenge) return waiting(session, "Waiting for your bank", "Please wait.");
  if (!bankUrlAllowed(challenge.redirectUrl)) return html(bankUnavailablePage(pageContext(session)), 200);
  if (challenge.method === "GET") return seeOther(challenge.redirectUrl);
  return html(threeDsPostPage(pageContext(session), challenge.redirectUrl, challenge.parameters), 200, [new URL(challenge.redirectUrl).origin]);
}

/** GET or POST /card-3ds/:token/return — Accelebit sends the shopper back here after the challenge. */
export async function cardThreeDsReturn(token: string, deps: ChargeDeps): Promise<Response> {
  const session = await loadSession(token);
  if (!session) return html(notFoundPage(), 404);
  if (session.status !== "three_ds") return settledPage(session);
  if (passed(session)) return confirmWithShopify(session);
  const attempt = session.attempts[0];
  if (!attempt?.accelebitPaymentId) return waiting(session, "Waiting for your bank", "Please wait.");

  const account = await accountForSession(deps, session);
  if (!account.ok) return waiting(session, "Waiting for your bank", "Please wait.");
  const read = await rereadAfterThreeDs(account.value, session, attempt.accelebitPaymentId);
  if (!read.ok || read.value.status === "pending_3ds")
    return waiting(session, "Waiting for your bank", "We are waiting for your bank to confirm this payment.");
  await applyPayment({ sessionId: session.id, attemptId: attempt.id, from: ["three_ds"], maxAttempts: 1 }, read.value, session.kind);
  const updated = await loadSession(token);
  if (!updated) return html(notFoundPage(), 404);
  return updated.status === "three_ds" && passed(updated) ? confirmWithShopify(updated) : settledPage(updated);
}

const passed = (session: Session) => session.gatewayStatus === "captured" || session.gatewayStatus === "authorized";

/** 3-D Secure passed: Shopify confirms (its answer arrives at /shopify/card/confirm); the shopper goes to nextAction. */
async function confirmWithShopify(session: Session): Promise<Response> {
  if (session.shopifyState === "CONFIRMING" && session.nextActionUrl) return toShopify(session, session.nextActionUrl);
  const outcome = await paymentsAppsClientFor(session.shop.domain).paymentSessionConfirm({ id: session.gid });
  if (outcome.kind !== "done") {
    const problem =
      outcome.kind === "failed" ? outcome.code : outcome.kind === "user-errors" ? outcome.userErrors.map((e) => e.message).join("; ") : "conflict";
    await recordEvent(db(), {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: "mutation.failed",
      summary: `paymentSessionConfirm failed: ${problem}`,
    });
    return waiting(session, "Finishing your payment", "Your payment is being confirmed with the shop.");
  }
  await db().paymentSession.updateMany({
    where: { id: session.id, status: "three_ds" },
    data: { shopifyState: outcome.result.state, nextActionUrl: outcome.result.nextActionRedirectUrl },
  });
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "three_ds.confirm",
    summary: `paymentSessionConfirm → Shopify: ${outcome.result.state}`,
  });
  return outcome.result.nextActionRedirectUrl
    ? toShopify(session, outcome.result.nextActionRedirectUrl)
    : waiting(session, "Finishing your payment", "Please wait.");
}

/** Decided (or being decided): wait briefly for Shopify's acknowledgement, then send the shopper on. */
async function settledPage(session: Session): Promise<Response> {
  if (isStatus(session.status, AWAITING_SHOPIFY) && !session.nextActionUrl) {
    wakeWorker();
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const row = await db().paymentSession.findUnique({ where: { id: session.id }, select: { nextActionUrl: true, status: true } });
      if (!row || row.nextActionUrl || !isStatus(row.status, AWAITING_SHOPIFY)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const latest = await db().paymentSession.findUnique({ where: { id: session.id }, select: { nextActionUrl: true } });
    if (latest?.nextActionUrl) return toShopify(session, latest.nextActionUrl);
  }
  if (session.nextActionUrl && (isStatus(session.status, FINAL) || isStatus(session.status, AWAITING_SHOPIFY)))
    return toShopify(session, session.nextActionUrl);
  return waiting(session, "Finishing your payment", "Your payment is being confirmed with the shop.");
}
