import { z } from "zod";
import { formatAccelebitAmount } from "~/accelebit";
import { decryptCardPayload, type CardKeyring, type DecryptedCard, type EncryptedCardPayload } from "~/card-decryption";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { billingFor, buyerIpv4, cardBrand } from "~/payments/billing";
import { enqueueCardRedirect } from "~/payments/card/redirect.server";
import { attemptIdempotencyKey, type ChargeDeps } from "~/payments/charge.server";
import { applyGatewayError, applyKeyProblem, applyPayment, rejectCardSession, type CompletionTarget } from "~/payments/completion.server";
import { accountForSession } from "~/payments/gateway-account.server";
import { recordEvent } from "~/payments/timeline.server";

/**
 * The durable job that charges a credit-card session after Shopify has our answer: unseal,
 * decrypt in memory, charge Accelebit once (one attempt, one Idempotency-Key), and hand the
 * outcome to the completion logic. The sealed card is erased from the job row as soon as the
 * outcome is known; the decrypted card never leaves this module's memory.
 */
export const CHARGE_CARD_SESSION = "card-payment.charge";

export interface CardChargeDeps extends ChargeDeps {
  keyring: () => CardKeyring;
}

const payloadSchema = z.object({ paymentSessionId: z.string().min(1), sealed: z.string().optional(), moto: z.boolean().optional() });

const sealContext = (sessionId: string) => `card-session:${sessionId}`;

/** Shopify's encrypted card, sealed again with the app's key while it waits in the job row. */
export function sealCardData(box: SecretBox, sessionId: string, data: EncryptedCardPayload): string {
  const { fingerprint, encrypted_message, ephemeral_public_key, tag } = data;
  return box.encrypt(JSON.stringify({ fingerprint, encrypted_message, ephemeral_public_key, tag }), sealContext(sessionId));
}

export function enqueueCardCharge(tx: Prisma.TransactionClient, session: { id: string; shopId: string }, card: { sealed: string; moto: boolean }) {
  return enqueueJob(tx, {
    type: CHARGE_CARD_SESSION,
    payload: { paymentSessionId: session.id, sealed: card.sealed, moto: card.moto },
    shopId: session.shopId,
    dedupeKey: `card-charge:${session.id}`,
  });
}

export function chargeCardHandler(deps: () => CardChargeDeps) {
  return jobHandler(payloadSchema, async ({ paymentSessionId, sealed, moto }, { jobId, logger }) => {
    const erase = () => db().job.update({ where: { id: jobId }, data: { payload: JSON.stringify({ paymentSessionId, moto: moto === true }) } });
    const session = await db().paymentSession.findUnique({ where: { id: paymentSessionId } });
    if (!session || session.status !== "processing" || !sealed) {
      if (session?.status === "three_ds" && !moto) await enqueueCardRedirect(db(), session);
      await erase();
      return;
    }
    const outcome = await chargeOnce(session, sealed, moto === true, deps());
    await erase();
    logger.info({ paymentSessionId, outcome }, "card session charged");
  });
}

type Session = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["paymentSession"]["findUniqueOrThrow"]>>>;

async function chargeOnce(session: Session, sealed: string, moto: boolean, deps: CardChargeDeps): Promise<string> {
  let encrypted: unknown;
  try {
    encrypted = JSON.parse(deps.box.decrypt(sealed, sealContext(session.id)));
  } catch {
    encrypted = null;
  }
  const decrypted = decryptCardPayload(encrypted, deps.keyring());
  if (!decrypted.ok) {
    // Only the reason code is kept: never the payload.
    await rejectCardSession(
      session.id,
      ["processing"],
      { kind: "card-unreadable" },
      `The card data Shopify sent could not be decrypted (${decrypted.reason}).`,
    );
    return `unreadable (${decrypted.reason})`;
  }
  const card = decrypted.card;
  const attempt = await attemptFor(session, card);
  const target: CompletionTarget = { sessionId: session.id, attemptId: attempt.id, from: ["processing"], maxAttempts: 1 };

  const account = await accountForSession(deps, session);
  if (!account.ok) return (await applyKeyProblem(target, account.error.message)).kind;
  const amount = formatAccelebitAmount(session.amount.toString(), session.currency);
  if (!amount.ok) return (await applyKeyProblem(target, `The amount cannot be sent to Accelebit: ${amount.error.message}`)).kind;

  const result = await account.value.createPayment(
    {
      amount: amount.value,
      currency: session.currency,
      paymentMethod: "card",
      card: gatewayCard(card, session.billingAddress),
      billing: billingFor(
        { email: session.customerEmail, phone: session.customerPhone, billingAddress: session.billingAddress },
        card.name ?? "",
        buyerIpv4(session.clientIp),
      ),
      merchantRef: session.shopifyId,
      returnUrl: cardThreeDsReturnUrl(deps.appUrl, session.shopperToken),
      metadata: { shopifyPaymentSessionId: session.shopifyId, attempt: "1", ...(moto ? { moto: "true" } : {}) },
    },
    { idempotencyKey: attempt.idempotencyKey },
  );
  // Not known whether the card was charged: the job retries with the same Idempotency-Key (card sessions are never pending).
  if (!result.ok && result.error.category === "outcome_unknown") throw new RetryableJobError(`Accelebit outcome unknown: ${result.error.name}`);
  if (!result.ok) return (await applyGatewayError(target, result.error)).kind;

  const completion = await applyPayment(target, result.value, session.kind);
  if (completion.kind !== "three-ds") return completion.kind;
  if (moto) {
    // MOTO payments are keyed by the merchant: there is no shopper to authenticate (reference §5.7).
    await rejectCardSession(
      session.id,
      ["three_ds"],
      { kind: "gateway", name: "INVALID_REQUEST" },
      "Accelebit asked for 3-D Secure on a MOTO payment, which has no shopper to authenticate.",
    );
    return "rejecting (3-D Secure on MOTO)";
  }
  await enqueueCardRedirect(db(), session);
  return "three-ds";
}

/** The session's one attempt (re-used when the job runs again, so the Idempotency-Key never changes). */
async function attemptFor(session: Session, card: DecryptedCard) {
  const existing = await db().paymentAttempt.findFirst({ where: { paymentSessionId: session.id, number: 1 } });
  if (existing) return existing;
  const attempt = await db().paymentAttempt.create({
    data: {
      paymentSessionId: session.id,
      number: 1,
      idempotencyKey: attemptIdempotencyKey(session.shopifyId, 1),
      status: "submitted",
      cardBrand: cardBrand(card.pan),
      cardLast4: card.pan.slice(-4),
    },
  });
  await recordEvent(db(), {
    shopId: session.shopId,
    paymentSessionId: session.id,
    kind: "attempt.submitted",
    summary: `Card from Shopify: ${attempt.cardBrand} •••• ${attempt.cardLast4}`,
    detail: { idempotencyKey: attempt.idempotencyKey },
  });
  return attempt;
}

function gatewayCard(card: DecryptedCard, billingAddress: string | null) {
  const billing = billingAddress ? (JSON.parse(billingAddress) as { given_name?: string | null; family_name?: string | null }) : null;
  const fallbackName = [billing?.given_name, billing?.family_name].filter(Boolean).join(" ");
  return {
    number: card.pan,
    expiryMonth: String(card.month).padStart(2, "0"),
    expiryYear: String(card.year % 100).padStart(2, "0"),
    cvv: card.verification_value ?? "",
    holderName: card.name?.trim() || fallbackName || "Card holder",
  };
}

/** Where Accelebit sends the shopper after the challenge: our opaque token only. */
export function cardThreeDsReturnUrl(appUrl: string, token: string): string {
  return `${appUrl}/card-3ds/${token}/return`;
}

/** The 3-D Secure page Shopify shows the shopper (paymentSessionRedirect's redirectUrl). */
export function cardThreeDsPageUrl(appUrl: string, token: string): string {
  return `${appUrl}/card-3ds/${token}`;
}
