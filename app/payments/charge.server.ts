import { db, type Prisma } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { annotateRequest } from "~/observability/request-context.server";
import { billingFor, buyerIpv4, cardBrand } from "~/payments/billing";
import { applyAttemptFact, type Completion } from "~/payments/completion.server";
import { accountForSession, gatewayOf, type Gateways } from "~/payments/gateway-account.server";
import { chargeFact, readAttempt } from "~/payments/gateway-facts.server";
import type { ChargeRequest, GatewayAccount, GatewayPayment, GatewayResult, PaymentInstrument } from "~/payments/gateway/port";
import { storedMoney } from "~/payments/money";
import type { AttemptFact } from "~/payments/next-state";
import { recordEvent } from "~/payments/timeline.server";
import { submitIntent } from "~/payments/wallet-flow.server";
import { checkCardForm, type CardFieldName } from "../../public/card-checks.js";

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

/** What every new attempt of a session is stored with before anything is sent, whatever pays for it. */
export function newAttemptIdentity(session: { id: string; shopifyId: string }, number: number) {
  return { paymentSessionId: session.id, number, idempotencyKey: attemptIdempotencyKey(session.shopifyId, number), status: "submitted" };
}

/** A new card attempt of a session: its identity is stored before anything is sent. */
export function newAttemptRow(session: { id: string; shopifyId: string }, number: number, card: { brand: string; last4: string }) {
  return { ...newAttemptIdentity(session, number), merchantRef: attemptMerchantRef(session.shopifyId, number), cardBrand: card.brand, cardLast4: card.last4 };
}

/**
 * Claims the session for one new attempt. At most one submission of a session is charged at a
 * time: the session moves from awaiting_card to processing with a compare-and-set, in the same
 * transaction that writes the attempt and its timeline line, so a double click or a re-posted
 * form finds it busy (null) and waits for the first one's result instead of charging again.
 */
export function claimNewAttempt(
  session: { id: string; shopId: string },
  row: Prisma.PaymentAttemptUncheckedCreateInput,
  event: { summary: string; detail?: Record<string, string> },
  sessionData: { clientIp?: string | null } = {},
) {
  return db().$transaction(async (tx) => {
    const claimed = await tx.paymentSession.updateMany({ where: { id: session.id, status: "awaiting_card" }, data: { status: "processing", ...sessionData } });
    if (claimed.count === 0) return null;
    const created = await tx.paymentAttempt.create({ data: row });
    await recordEvent(tx, {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: "attempt.submitted",
      summary: event.summary,
      detail: { idempotencyKey: created.idempotencyKey, merchantRef: created.merchantRef, ...event.detail },
    });
    return created;
  });
}

/**
 * Charges a claimed attempt through the session's account and decides what the gateway said.
 * Something that breaks once the charge may have left (a bug, a lost process state) makes the
 * attempt's outcome unknown: never rejected, never charged again; the gateway's record settles
 * it later.
 */
export async function chargeClaimedAttempt(
  session: { id: string; shopId: string; gateway: string; test: boolean },
  attemptId: string,
  deps: ChargeDeps,
  charge: (account: GatewayAccount) => Promise<GatewayResult<GatewayPayment>>,
): Promise<Completion> {
  const context = () => ({ now: deps.now?.() ?? new Date(), maxAttempts: deps.maxAttempts, gateways: deps.gateways });
  try {
    const account = await accountForSession(deps, session);
    const fact: AttemptFact = account.ok ? chargeFact(await charge(account.value)) : { kind: "cannot-charge", message: account.error.message };
    return await applyAttemptFact(session.id, attemptId, fact, context());
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    return applyAttemptFact(session.id, attemptId, { kind: "unknown", errorName: "INTERNAL", errorMessage: `Unexpected ${name} while charging` }, context());
  }
}

/** The shopper's page posted: a card form, or the id of the intent a wallet gateway's widget created. */
export async function submitPayment(token: string, fields: Record<string, unknown>, clientIp: string | null, deps: ChargeDeps): Promise<SubmitOutcome> {
  const session = await db().paymentSession.findUnique({ where: { shopperToken: token }, select: { gateway: true } });
  if (!session) return { kind: "not-found" };
  if (gatewayOf(deps.gateways, session).instrument === "wallet") return submitIntent(token, fields, deps);
  return submitCard(token, fields, clientIp, deps);
}

/**
 * The shopper submitted a card: checked, then one attempt claimed and charged
 * (claimNewAttempt, chargeClaimedAttempt). Card data stays in this function's memory and is
 * never stored.
 */
export async function submitCard(token: string, fields: Record<string, unknown>, clientIp: string | null, deps: ChargeDeps): Promise<SubmitOutcome> {
  const session = await db().paymentSession.findUnique({
    where: { shopperToken: token },
    include: { attempts: { select: { number: true, gatewayPaymentId: true } } },
  });
  if (!session) return { kind: "not-found" };
  annotateRequest({ paymentSessionId: session.id });

  const checked = checkCardForm(fields, deps.now?.() ?? new Date());
  if (checked.errors) return { kind: "invalid", errors: checked.errors, holderName: String(fields.name ?? "").slice(0, 100) };
  const card = checked.card;

  const number = session.attempts.length + 1;
  const brand = cardBrand(card.number);
  const last4 = card.number.slice(-4);
  const attempt = await claimNewAttempt(
    session,
    newAttemptRow(session, number, { brand, last4 }),
    { summary: `Attempt ${number}: ${brand} •••• ${last4}` },
    { clientIp },
  );
  if (!attempt) return { kind: "busy" };

  const others = session.attempts.map((a) => a.gatewayPaymentId).filter((id): id is string => Boolean(id));
  return chargeClaimedAttempt(session, attempt.id, deps, (account) =>
    account.charge(
      cardChargeRequest(session, attempt, {
        card,
        holderName: card.holderName,
        buyerIp: clientIp,
        returnUrl: threeDsReturnUrl(deps.appUrl, token),
        metadata: { attempt: String(attempt.number) },
        others,
      }),
    ),
  );
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
