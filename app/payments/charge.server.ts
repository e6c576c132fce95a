import { db } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { billingFor, buyerIpv4, cardBrand } from "~/payments/billing";
import { accountForSession } from "~/payments/gateway-account.server";
import { recordEvent } from "~/payments/timeline.server";
import { annotateRequest } from "~/observability/request-context.server";
import { accelebitError, formatAccelebitAmount, type AccelebitAccount, type AccelebitError, type AccelebitGateway } from "~/accelebit";
import { applyGatewayError, applyKeyProblem, applyPayment, type Completion, type CompletionTarget } from "~/payments/completion.server";
import { checkCardForm, type CardFieldName, type CheckedCard } from "../../public/card-checks.js";

export interface ChargeDeps {
  gateway: AccelebitGateway;
  box: SecretBox;
  appUrl: string;
  maxAttempts: number;
  now?: () => Date;
}

export type SubmitOutcome =
  { kind: "not-found" } | { kind: "invalid"; errors: Partial<Record<CardFieldName, string>>; holderName: string } | { kind: "busy" } | Completion;

/** Where Accelebit sends the shopper after 3-D Secure: our opaque token, nothing else. */
export function threeDsReturnUrl(appUrl: string, token: string): string {
  return `${appUrl}/pay/${token}/return`;
}

/** Idempotency-Key of an attempt: the same card submission always carries the same key. */
export function attemptIdempotencyKey(shopifyId: string, attempt: number): string {
  return `shopify-${shopifyId}-attempt-${attempt}`;
}

/**
 * The shopper submitted a card. At most one submission of a session is charged at a time:
 * the session moves from awaiting_card to processing with a compare-and-set, so a double
 * click or a re-posted form finds it busy and waits for the first one's result instead
 * of charging again. Card data stays in this function's memory and is never stored.
 */
export async function submitCard(token: string, fields: Record<string, unknown>, clientIp: string | null, deps: ChargeDeps): Promise<SubmitOutcome> {
  const now = deps.now?.() ?? new Date();
  const session = await findSession(token);
  if (!session) return { kind: "not-found" };
  annotateRequest({ paymentSessionId: session.id });

  const checked = checkCardForm(fields, now);
  if (checked.errors) return { kind: "invalid", errors: checked.errors, holderName: String(fields.name ?? "").slice(0, 100) };
  const card = checked.card;

  const claimed = await db().paymentSession.updateMany({ where: { id: session.id, status: "awaiting_card" }, data: { status: "processing", clientIp } });
  if (claimed.count === 0) return { kind: "busy" };

  const earlier = await db().paymentAttempt.findMany({ where: { paymentSessionId: session.id }, select: { number: true, accelebitPaymentId: true } });
  const number = earlier.length + 1;
  const attempt = await db().paymentAttempt.create({
    data: {
      paymentSessionId: session.id,
      number,
      idempotencyKey: attemptIdempotencyKey(session.shopifyId, number),
      status: "submitted",
      cardBrand: cardBrand(card.number),
      cardLast4: card.number.slice(-4),
    },
  });
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "attempt.submitted",
    summary: `Attempt ${number}: ${attempt.cardBrand} •••• ${attempt.cardLast4}`,
    detail: { idempotencyKey: attempt.idempotencyKey },
  });
  const target = { sessionId: session.id, attemptId: attempt.id, from: ["processing" as const], maxAttempts: deps.maxAttempts };
  try {
    return await chargeClaimed(session, attempt, earlier, card, token, clientIp, target, deps, now);
  } catch (error) {
    // Something broke after the card may have reached Accelebit: we cannot know whether it
    // was charged, so the session goes pending (never rejected, never charged again) and
    // Accelebit's record settles it later.
    return applyGatewayError(target, unknownOutcome(error), now);
  }
}

type Session = NonNullable<Awaited<ReturnType<typeof findSession>>>;
const findSession = (token: string) => db().paymentSession.findUnique({ where: { shopperToken: token } });

async function chargeClaimed(
  session: Session,
  attempt: { id: string; idempotencyKey: string },
  earlier: { number: number; accelebitPaymentId: string | null }[],
  card: CheckedCard,
  token: string,
  clientIp: string | null,
  target: CompletionTarget,
  deps: ChargeDeps,
  now: Date,
): Promise<SubmitOutcome> {
  const number = earlier.length + 1;
  const account = await accountForSession(deps, session);
  if (!account.ok) return applyKeyProblem(target, account.error.message);

  const amount = formatAccelebitAmount(session.amount.toString(), session.currency);
  if (!amount.ok) return applyKeyProblem(target, `The amount cannot be sent to Accelebit: ${amount.error.message}`);

  const result = await account.value.createPayment(
    {
      amount: amount.value,
      currency: session.currency,
      paymentMethod: "card",
      card,
      billing: billingFor(
        { email: session.customerEmail, phone: session.customerPhone, billingAddress: session.billingAddress },
        card.holderName,
        buyerIpv4(clientIp),
      ),
      merchantRef: session.shopifyId,
      returnUrl: threeDsReturnUrl(deps.appUrl, token),
      metadata: { shopifyPaymentSessionId: session.shopifyId, attempt: String(number) },
    },
    {
      idempotencyKey: attempt.idempotencyKey,
      knownEarlierAttemptIds: earlier.map((a) => a.accelebitPaymentId).filter((id): id is string => Boolean(id)),
    },
  );
  return result.ok ? applyPayment(target, result.value, session.kind, now) : applyGatewayError(target, result.error, now);
}

/**
 * Accelebit's record of a payment after 3-D Secure (the return request proves nothing),
 * noted on the session's timeline. Offsite and card sessions both come back through here.
 */
export async function rereadAfterThreeDs(account: AccelebitAccount, session: { id: string; shopId: string }, paymentId: string) {
  const read = await account.retrievePayment(paymentId);
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "three_ds.return",
    summary: `The shopper came back from 3-D Secure; Accelebit says ${read.ok ? read.value.status : `nothing (${read.error.name})`}`,
  });
  return read;
}

/**
 * The shopper came back from 3-D Secure. Whatever the URL says, the payment is re-read from
 * Accelebit: a forged return cannot resolve a session.
 */
export async function finishThreeDs(token: string, deps: ChargeDeps): Promise<SubmitOutcome | { kind: "still-pending" }> {
  const session = await db().paymentSession.findUnique({ where: { shopperToken: token } });
  if (!session) return { kind: "not-found" };
  if (session.status !== "three_ds") return { kind: "unchanged" };
  const attempt = await db().paymentAttempt.findFirst({ where: { paymentSessionId: session.id, status: "pending_3ds" }, orderBy: { number: "desc" } });
  if (!attempt?.accelebitPaymentId) return { kind: "unchanged" };

  const account = await accountForSession(deps, session);
  const target = { sessionId: session.id, attemptId: attempt.id, from: ["three_ds" as const], maxAttempts: deps.maxAttempts };
  if (!account.ok) return applyKeyProblem(target, account.error.message);
  const read = await rereadAfterThreeDs(account.value, session, attempt.accelebitPaymentId);
  // Accelebit unreachable, or the bank has not finished: the waiting page asks again.
  if (!read.ok || read.value.status === "pending_3ds") return { kind: "still-pending" };
  return applyPayment(target, read.value, session.kind, deps.now?.() ?? new Date());
}

function unknownOutcome(error: unknown): AccelebitError {
  return accelebitError({
    name: "NETWORK_ERROR",
    category: "outcome_unknown",
    origin: "network",
    httpStatus: null,
    // The class name only: a message could quote request data.
    message: `Unexpected ${error instanceof Error ? error.name : "error"} while charging`,
  });
}
