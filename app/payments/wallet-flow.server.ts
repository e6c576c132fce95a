/**
 * Paying with a wallet held at the gateway (Accrue): the gateway's widget on our page creates
 * a payment intent and the page posts only its id. Nothing from the browser is trusted: the
 * adapter reads the intent with the shop's credentials and charges it only if it carries this
 * session's reference, amount and a usable status (docs/decisions/accrue-a01-intent-creation.md,
 * accrue-a02-binding.md). The attempt is written before anything is sent, exactly like a card
 * attempt, and its outcome goes through the same decision (completion.server.ts).
 */
import { randomBytes } from "node:crypto";
import { db } from "~/db.server";
import { isUniqueViolation } from "~/lib/db-errors";
import { loadPublicId } from "~/merchants/credentials.server";
import { annotateRequest } from "~/observability/request-context.server";
import { attemptChargeRequest, chargeClaimedAttempt, claimNewAttempt, newAttemptIdentity, type ChargeDeps, type SubmitOutcome } from "~/payments/charge.server";
import { gatewayOf, sessionMode } from "~/payments/gateway-account.server";
import type { PaymentGateway, WalletWidget } from "~/payments/gateway/port";
import { storedMoney } from "~/payments/money";
import { intentKey } from "~/payments/intent-key";

function loadWalletSession(token: string) {
  return db().paymentSession.findUnique({
    where: { shopperToken: token },
    include: { attempts: { select: { number: true, gatewayPaymentId: true, intentKey: true } } },
  });
}

/**
 * The session's reference at the gateway: 144 random bits, made once, when the widget is first
 * shown. It is neither Shopify's id (which the shopper's browser and the gateway both see
 * elsewhere) nor the shopper's URL token (which opens this page).
 */
export async function walletReferenceOf(session: { id: string; walletReference: string | null }): Promise<string> {
  if (session.walletReference) return session.walletReference;
  // Set only where none is yet: a concurrent page load that set it first wins, and both read it back.
  await db().paymentSession.updateMany({
    where: { id: session.id, walletReference: null },
    data: { walletReference: `ref_${randomBytes(18).toString("base64url")}` },
  });
  const stored = await db().paymentSession.findUniqueOrThrow({ where: { id: session.id }, select: { walletReference: true } });
  return stored.walletReference!;
}

export type WidgetForSession = { ok: true; widget: WalletWidget } | { ok: false; message: string };

/** The widget the shopper's page shows for a wallet session, or why the shop cannot take the payment now. */
export async function widgetForSession(
  gateway: PaymentGateway,
  session: { id: string; shopId: string; test: boolean; amount: { toString(): string }; currency: string; walletReference: string | null },
): Promise<WidgetForSession> {
  const unavailable = `${gateway.displayName} is not available for this order right now. Return to checkout to choose another way to pay.`;
  if (!gateway.walletWidget) return { ok: false, message: unavailable };
  const amount = storedMoney(session.amount, session.currency);
  const problem = gateway.amountProblem(amount);
  if (problem) return { ok: false, message: `${gateway.displayName} cannot take this payment (${problem}). Return to checkout to choose another way to pay.` };
  // The widget needs only the merchant's public id: nothing secret is decrypted for the page.
  const publicId = await loadPublicId(session.shopId, gateway.id, sessionMode(session));
  if (!publicId) return { ok: false, message: unavailable };
  const reference = await walletReferenceOf(session);
  return { ok: true, widget: gateway.walletWidget({ mode: sessionMode(session), publicId, amount, reference }) };
}

const SHOPPER_WIDGET_UNFINISHED = "Your payment was not started. Sign in below and try again.";
const SHOPPER_INTENT_USED = "That payment was already tried. Start a new one below.";

/**
 * The shopper's widget created an intent. As with a card, one attempt is claimed with a
 * compare-and-set and charged (claimNewAttempt, chargeClaimedAttempt in charge.server.ts), so a
 * double post waits for the first one's result; an intent already
 * used by this session is not tried again, and one used by another session is left to the
 * adapter's binding check, which refuses it before anything is sent.
 */
export async function submitIntent(token: string, fields: Record<string, unknown>, deps: ChargeDeps): Promise<SubmitOutcome> {
  const session = await loadWalletSession(token);
  if (!session) return { kind: "not-found" };
  annotateRequest({ paymentSessionId: session.id });
  const gateway = gatewayOf(deps.gateways, session);

  const intentId = typeof fields.intentId === "string" ? fields.intentId.trim() : "";
  // Checked before any request: a malformed id cannot be the widget's, and nothing is sent.
  if (!intentId || !(gateway.isIntentId?.(intentId) ?? false)) {
    return session.status === "awaiting_card" ? { kind: "try-again", message: SHOPPER_WIDGET_UNFINISHED } : { kind: "unchanged" };
  }
  const key = intentKey(gateway.id, sessionMode(session), intentId);
  if (session.attempts.some((a) => a.intentKey === key)) {
    return session.status === "awaiting_card" ? { kind: "try-again", message: SHOPPER_INTENT_USED } : { kind: "busy" };
  }
  if (!session.walletReference) return { kind: "try-again", message: SHOPPER_WIDGET_UNFINISHED };

  const number = session.attempts.length + 1;
  // Every attempt of a wallet session carries the session's reference: the widget stamps it on
  // each intent before we know which attempt the intent will be.
  const row = { ...newAttemptIdentity(session, number), merchantRef: session.walletReference };
  const event = { summary: `Attempt ${number}: ${gateway.displayName} payment intent ${intentId}`, detail: { intentId } };
  let attempt;
  try {
    attempt = await claimNewAttempt(session, { ...row, intentKey: key }, event);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another session's attempt already holds this intent: it is not this session's to use.
    // The attempt is written without the key, and the adapter's binding check refuses the
    // intent with nothing sent, so the session ends with a clear merchant message.
    attempt = await claimNewAttempt(session, { ...row, intentKey: null }, event);
  }
  if (!attempt) return { kind: "busy" };

  const others = session.attempts.map((a) => a.gatewayPaymentId).filter((id): id is string => Boolean(id));
  const request = attemptChargeRequest(session, attempt, { kind: "intent", intentId }, { metadata: { attempt: String(attempt.number) }, others });
  return chargeClaimedAttempt(session, attempt.id, deps, (account) => account.charge(request));
}
