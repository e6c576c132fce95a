import { db } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { annotateRequest } from "~/observability/request-context.server";
import { billingFor, buyerIpv4, cardBrand } from "~/payments/billing";
import { applyAttemptFact, type Completion } from "~/payments/completion.server";
import { accountForSession, gatewayOf, type Gateways } from "~/payments/gateway-account.server";
import { chargeFact, readAttempt } from "~/payments/gateway-facts.server";
import type { ChargeRequest, GatewayAccount, PaymentInstrument } from "~/payments/gateway/port";
import { storedMoney } from "~/payments/money";
import { recordEvent } from "~/payments/timeline.server";
import { submitIntent } from "~/payments/wallet-flow.server";
import { checkCardForm, type CardFieldName, type CheckedCard } from "../../public/card-checks.js";

export interface ChargeDeps {
  gateways: Gateways;
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

/**
 * An attempt's identity at Accelebit (docs/decisions/0001-attempt-identity.md): the same card
 * submission always carries the same Idempotency-Key, and its own merchantRef, which still
 * starts with Shopify's id so a merchant can find every attempt of an order at Accelebit.
 */
export function attemptIdempotencyKey(shopifyId: string, attempt: number): string {
  return `shopify-${shopifyId}-attempt-${attempt}`;
}
export function attemptMerchantRef(shopifyId: string, attempt: number): string {
  return `${shopifyId}-attempt-${attempt}`;
}

/** A new attempt of a session: its identity is stored before anything is sent. */
export function newAttemptRow(session: { id: string; shopifyId: string }, number: number, card: { brand: string; last4: string }) {
  return {
    paymentSessionId: session.id,
    number,
    idempotencyKey: attemptIdempotencyKey(session.shopifyId, number),
    merchantRef: attemptMerchantRef(session.shopifyId, number),
    status: "submitted",
    cardBrand: card.brand,
    cardLast4: card.last4,
  };
}

/** The shopper's page posted: a card form, or the id of the intent a wallet gateway's widget created. */
export async function submitPayment(token: string, fields: Record<string, unknown>, clientIp: string | null, deps: ChargeDeps): Promise<SubmitOutcome> {
  const session = await db().paymentSession.findUnique({ where: { shopperToken: token }, select: { gateway: true } });
  if (!session) return { kind: "not-found" };
  if (gatewayOf(deps.gateways, session).instrument === "wallet") return submitIntent(token, fields, deps);
  return submitCard(token, fields, clientIp, deps);
}

/**
 * The shopper submitted a card. At most one submission of a session is charged at a time:
 * the session moves from awaiting_card to processing with a compare-and-set, in the same
 * transaction that writes the new attempt, so a double click or a re-posted form finds it
 * busy and waits for the first one's result instead of charging again. Card data stays in
 * this function's memory and is never stored.
 */
export async function submitCard(token: string, fields: Record<string, unknown>, clientIp: string | null, deps: ChargeDeps): Promise<SubmitOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const session = await db().paymentSession.findUnique({
    where: { shopperToken: token },
    include: { attempts: { select: { number: true, gatewayPaymentId: true } } },
  });
  if (!session) return { kind: "not-found" };
  annotateRequest({ paymentSessionId: session.id });

  const checked = checkCardForm(fields, now());
  if (checked.errors) return { kind: "invalid", errors: checked.errors, holderName: String(fields.name ?? "").slice(0, 100) };
  const card = checked.card;

  const number = session.attempts.length + 1;
  const row = newAttemptRow(session, number, { brand: cardBrand(card.number), last4: card.number.slice(-4) });
  const attempt = await db().$transaction(async (tx) => {
    const claimed = await tx.paymentSession.updateMany({ where: { id: session.id, status: "awaiting_card" }, data: { status: "processing", clientIp } });
    if (claimed.count === 0) return null;
    const created = await tx.paymentAttempt.create({ data: row });
    await recordEvent(tx, {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: "attempt.submitted",
      summary: `Attempt ${number}: ${created.cardBrand} •••• ${created.cardLast4}`,
      detail: { idempotencyKey: created.idempotencyKey, merchantRef: created.merchantRef },
    });
    return created;
  });
  if (!attempt) return { kind: "busy" };

  const context = { now: now(), maxAttempts: deps.maxAttempts, gateways: deps.gateways };
  try {
    const others = session.attempts.map((a) => a.gatewayPaymentId).filter((id): id is string => Boolean(id));
    const fact = await chargeAttempt(session, attempt, card, others, token, clientIp, deps);
    return await applyAttemptFact(session.id, attempt.id, fact, { ...context, now: now() });
  } catch (error) {
    // Something broke after the card may have reached Accelebit: we cannot know whether it was
    // charged, so the attempt's outcome is unknown (never rejected, never charged again) and
    // Accelebit's record settles it later.
    const name = error instanceof Error ? error.name : "error";
    return applyAttemptFact(session.id, attempt.id, { kind: "unknown", errorName: "INTERNAL", errorMessage: `Unexpected ${name} while charging` }, context);
  }
}

/**
 * What a charge asks of the gateway, for every instrument: Shopify's exact amount (whatever a
 * widget showed), sale or authorization, the attempt's identity, and the payment ids of the
 * session's other attempts, which a lookup after a lost answer must not take for this one.
 */
export function attemptChargeRequest(
  session: Pick<SessionRow, "amount" | "currency" | "kind" | "shopifyId">,
  attempt: { idempotencyKey: string; merchantRef: string },
  instrument: PaymentInstrument,
  extra: { metadata: Record<string, string>; others: string[] },
): ChargeRequest {
  return {
    amount: storedMoney(session.amount, session.currency),
    reference: attempt.merchantRef,
    idempotencyKey: attempt.idempotencyKey,
    capture: session.kind === "sale",
    instrument,
    metadata: { shopifyPaymentSessionId: session.shopifyId, ...extra.metadata },
    otherAttemptPaymentIds: extra.others,
  };
}

/** What a card charge asks of the gateway, the same for the shopper's form and Shopify's encrypted card: the session's money, mode of capture and buyer, and the attempt's identity. */
export function cardChargeRequest(
  session: Pick<SessionRow, "amount" | "currency" | "kind" | "shopifyId" | "customerEmail" | "customerPhone" | "billingAddress">,
  attempt: { idempotencyKey: string; merchantRef: string },
  charge: { card: CardInstrument["card"]; holderName: string; buyerIp: string | null; returnUrl: string; metadata: Record<string, string>; others: string[] },
): ChargeRequest {
  const instrument: CardInstrument = {
    kind: "card",
    card: charge.card,
    billing: billingFor({ email: session.customerEmail, phone: session.customerPhone, billingAddress: session.billingAddress }, charge.holderName),
    buyerIp: buyerIpv4(charge.buyerIp),
    returnUrl: charge.returnUrl,
  };
  return attemptChargeRequest(session, attempt, instrument, charge);
}

type CardInstrument = Extract<PaymentInstrument, { kind: "card" }>;

type SessionRow = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["paymentSession"]["findUnique"]>>>;

async function chargeAttempt(
  session: SessionRow,
  attempt: { idempotencyKey: string; merchantRef: string; number: number },
  card: CheckedCard,
  others: string[],
  token: string,
  clientIp: string | null,
  deps: ChargeDeps,
) {
  const account = await accountForSession(deps, session);
  if (!account.ok) return { kind: "cannot-charge", message: account.error.message } as const;
  const result = await account.value.charge(
    cardChargeRequest(session, attempt, {
      card,
      holderName: card.holderName,
      buyerIp: clientIp,
      returnUrl: threeDsReturnUrl(deps.appUrl, token),
      metadata: { attempt: String(attempt.number) },
      others,
    }),
  );
  return chargeFact(result);
}

/**
 * Accelebit's record of the attempt after 3-D Secure (the return request proves nothing),
 * noted on the session's timeline. Offsite and card sessions both come back through here.
 */
export async function rereadAfterThreeDs(
  account: GatewayAccount,
  session: { id: string; shopId: string; amount: { toString(): string }; currency: string },
  attempt: { gatewayPaymentId: string | null; merchantRef: string },
) {
  const read = await readAttempt(account, attempt, session, []);
  const said =
    read.kind === "fact" && read.fact.kind === "payment" ? read.fact.status : read.kind === "unavailable" ? `nothing (${read.reason})` : "no payment";
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "three_ds.return",
    summary: `The shopper came back from 3-D Secure; the gateway says ${said}`,
  });
  return read;
}

/**
 * The shopper came back from 3-D Secure. Whatever the URL says, the session's latest attempt
 * (the only one that can be in 3-D Secure) is re-read from Accelebit: a forged return cannot
 * resolve a session. A missing key or an unreachable gateway changes nothing
 * (docs/decisions/0005-reads-never-reject-blind.md): the waiting page asks again.
 */
export async function finishThreeDs(token: string, deps: ChargeDeps): Promise<SubmitOutcome | { kind: "still-pending" }> {
  const session = await db().paymentSession.findUnique({ where: { shopperToken: token }, include: { attempts: { orderBy: { number: "desc" }, take: 1 } } });
  if (!session) return { kind: "not-found" };
  const attempt = session.attempts[0];
  if (session.status !== "three_ds" || attempt?.status !== "action_required") return { kind: "unchanged" };

  const account = await accountForSession(deps, session);
  if (!account.ok) return { kind: "still-pending" };
  const read = await rereadAfterThreeDs(account.value, session, attempt);
  if (read.kind !== "fact" || (read.fact.kind === "payment" && read.fact.status === "action_required")) return { kind: "still-pending" };
  return applyAttemptFact(session.id, attempt.id, read.fact, { now: deps.now?.() ?? new Date(), maxAttempts: deps.maxAttempts, gateways: deps.gateways });
}
