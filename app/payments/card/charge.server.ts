import { z } from "zod";
import { decryptCardPayload, type CardKeyring, type DecryptedCard, type EncryptedCardPayload } from "~/card-decryption";
import { db, type Prisma } from "~/db.server";
import { enqueueJob, jobHandler, RetryableJobError, TerminalJobError, type EnqueueJobInput } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { cardBrand } from "~/payments/billing";
import { cardChargeRequest, newAttemptRow, type ChargeDeps } from "~/payments/charge.server";
import { applyAttemptFact, type ApplyContext } from "~/payments/completion.server";
import { accountForSession, gatewayOf } from "~/payments/gateway-account.server";
import type { GatewayCapabilities } from "~/payments/gateway/port";
import { chargeFact, readAttempt } from "~/payments/gateway-facts.server";
import type { AttemptFact } from "~/payments/next-state";
import { recordEvent } from "~/payments/timeline.server";

/**
 * The durable job that charges a credit-card session after Shopify has our answer: unseal,
 * decrypt in memory, charge the gateway (one attempt, one idempotency key), and hand what
 * the gateway said to the decision (app/payments/next-state.ts). The sealed card lives in
 * CardPayload for at most CARD_CHARGE_WINDOW_MS and the job POSTs only inside that window,
 * far inside the key's 24 hours; after it, the outcome is settled by reading alone
 * (docs/decisions/0006-card-payload-lifetime.md). The decrypted card never leaves this
 * module's memory.
 */
export const CHARGE_CARD_SESSION = "card-payment.charge";
export const CARD_CHARGE_WINDOW_MS = 60 * 60_000;

/**
 * How long after the first send the same charge may be sent again: inside the window, and far
 * inside the gateway's idempotency-key lifetime; never for a gateway that promises none.
 */
export function resendWindowMs(capabilities: GatewayCapabilities): number {
  const lifetime = capabilities.idempotencyKeyLifetimeMs;
  return lifetime === null ? 0 : Math.min(CARD_CHARGE_WINDOW_MS, lifetime / 2);
}

export interface CardChargeDeps extends ChargeDeps {
  keyring: () => CardKeyring;
}

// `sealed` is how older versions carried the card (in the job row); it is moved out on first run.
const payloadSchema = z.object({ paymentSessionId: z.string().min(1), sealed: z.string().optional(), moto: z.boolean().optional() });

const sealContext = (sessionId: string) => `card-session:${sessionId}`;

/** Shopify's encrypted card, sealed again with the app's key while it waits for the charge. */
export function sealCardData(box: SecretBox, sessionId: string, data: EncryptedCardPayload): string {
  const { fingerprint, encrypted_message, ephemeral_public_key, tag } = data;
  return box.encrypt(JSON.stringify({ fingerprint, encrypted_message, ephemeral_public_key, tag }), sealContext(sessionId));
}

/** The secret-box context of a session's sealed card (secrets:rotate re-encrypts under it). */
export const cardPayloadContext = sealContext;

/** The sealed card's CardPayload columns and the charge job that will use it. */
export function cardForCharge(session: { id: string; shopId: string }, card: { sealed: string; moto: boolean }, now: Date) {
  return {
    payload: { paymentSessionId: session.id, ciphertext: card.sealed, expiresAt: new Date(now.getTime() + CARD_CHARGE_WINDOW_MS) },
    job: {
      type: CHARGE_CARD_SESSION,
      payload: { paymentSessionId: session.id, moto: card.moto },
      shopId: session.shopId,
      dedupeKey: `card-charge:${session.id}`,
    } satisfies EnqueueJobInput,
  };
}

export async function storeCardForCharge(
  tx: Prisma.TransactionClient,
  session: { id: string; shopId: string },
  card: { sealed: string; moto: boolean },
  now = new Date(),
) {
  const { payload, job } = cardForCharge(session, card, now);
  await tx.cardPayload.create({ data: payload });
  await enqueueJob(tx, job);
}

type SessionWithCard = NonNullable<Awaited<ReturnType<typeof loadSession>>>;
const loadSession = (id: string) => db().paymentSession.findUnique({ where: { id }, include: { cardPayload: true, attempts: { orderBy: { number: "asc" } } } });

export function chargeCardHandler(deps: () => CardChargeDeps) {
  return jobHandler(payloadSchema, async ({ paymentSessionId, sealed, moto }, { jobId, logger, now, finalAttempt }) => {
    if (sealed) await moveLegacyPayload(jobId, paymentSessionId, sealed, moto === true);
    const session = await loadSession(paymentSessionId);
    if (!session) return;
    if (session.status !== "processing") {
      // Decided elsewhere (a duplicate run, the sweeper): the card is no longer needed.
      await db().cardPayload.deleteMany({ where: { paymentSessionId } });
      return;
    }
    try {
      const outcome = await chargeOrSettle(session, moto === true, deps(), now);
      logger.info({ paymentSessionId, outcome }, "card session charge job ran");
    } catch (error) {
      // The job dies with this failure: it takes the card with it; the sweeper settles the session by reading.
      if (finalAttempt || error instanceof TerminalJobError) await db().cardPayload.deleteMany({ where: { paymentSessionId } });
      throw error;
    }
  });
}

async function chargeOrSettle(session: SessionWithCard, moto: boolean, deps: CardChargeDeps, now: Date): Promise<string> {
  const context = { now, maxAttempts: 1, moto, gateways: deps.gateways };
  const existing = session.attempts[0];
  const payload = session.cardPayload && session.cardPayload.expiresAt > now ? session.cardPayload : null;
  const windowOpen =
    payload !== null && (!existing || now.getTime() - existing.createdAt.getTime() < resendWindowMs(gatewayOf(deps.gateways, session).capabilities));

  if (existing && !windowOpen) return settleByReading(session, existing, deps, context);

  const decrypted = payload ? decryptSealed(payload.ciphertext, session.id, deps) : { ok: false as const, reason: "expired" };
  if (!decrypted.ok) {
    if (existing) return settleByReading(session, existing, deps, context);
    // Never sent: nothing can have been charged. Only the reason code is kept, never the payload.
    const attempt = await createAttempt(session, null);
    const fact: AttemptFact = {
      kind: "cannot-charge",
      cardUnreadable: true,
      message:
        decrypted.reason === "expired"
          ? "The card data expired before it could be charged"
          : `The card data Shopify sent could not be decrypted (${decrypted.reason})`,
    };
    return (await applyAttemptFact(session.id, attempt.id, fact, context)).kind;
  }
  const card = decrypted.card;
  const attempt = existing ?? (await createAttempt(session, card));
  const sentBefore = existing !== undefined;

  const account = await accountForSession(deps, session);
  if (!account.ok) {
    const message = account.error.message;
    // Credentials removed after a send of ours, which may have charged: never reject blind (docs/decisions/0005-reads-never-reject-blind.md).
    if (sentBefore) throw new RetryableJobError(`Cannot ask the gateway about the card charge: ${message}`);
    return (await applyAttemptFact(session.id, attempt.id, { kind: "cannot-charge", message }, context)).kind;
  }

  const result = await account.value.charge(
    cardChargeRequest(session, attempt, {
      card: gatewayCard(card, session.billingAddress),
      holderName: card.name ?? "",
      buyerIp: session.clientIp,
      returnUrl: cardThreeDsReturnUrl(deps.appUrl, session.shopperToken),
      metadata: { attempt: "1", ...(moto ? { moto: "true" } : {}) },
      others: [],
    }),
  );
  const fact = chargeFact(result);
  const completion = await applyAttemptFact(session.id, attempt.id, fact, context);
  // Not known whether the card was charged: the job asks again with the same Idempotency-Key while the window is open.
  if (fact.kind === "unknown") throw new RetryableJobError(`Outcome unknown: ${fact.errorName}`);
  return completion.kind;
}

/** The window for sends has closed: only the gateway's record of the attempt decides now. */
async function settleByReading(
  session: SessionWithCard,
  attempt: SessionWithCard["attempts"][number],
  deps: CardChargeDeps,
  context: ApplyContext & { moto: boolean },
) {
  await db().cardPayload.deleteMany({ where: { paymentSessionId: session.id } });
  const account = await accountForSession(deps, session);
  if (!account.ok) throw new RetryableJobError(`Cannot read the card charge at the gateway: ${account.error.message}`);
  const read = await readAttempt(account.value, attempt, session, []);
  if (read.kind === "unavailable") throw new RetryableJobError(`The gateway could not be read (${read.reason})`);
  const fact: AttemptFact = read.kind === "fact" ? read.fact : { kind: "no-payment" };
  return (await applyAttemptFact(session.id, attempt.id, fact, context)).kind;
}

function decryptSealed(ciphertext: string, sessionId: string, deps: CardChargeDeps): { ok: true; card: DecryptedCard } | { ok: false; reason: string } {
  let encrypted: unknown;
  try {
    encrypted = JSON.parse(deps.box.decrypt(ciphertext, sealContext(sessionId)));
  } catch {
    encrypted = null;
  }
  const decrypted = decryptCardPayload(encrypted, deps.keyring());
  return decrypted.ok ? { ok: true, card: decrypted.card } : { ok: false, reason: decrypted.reason };
}

/** The session's one attempt: its Idempotency-Key never changes, whatever the job's runs. */
async function createAttempt(session: SessionWithCard, card: DecryptedCard | null) {
  return db().$transaction(async (tx) => {
    const attempt = await tx.paymentAttempt.create({
      data: newAttemptRow(session, 1, { brand: card ? cardBrand(card.pan) : "unknown", last4: card ? card.pan.slice(-4) : "" }),
    });
    await recordEvent(tx, {
      shopId: session.shopId,
      paymentSessionId: session.id,
      kind: "attempt.submitted",
      summary: card ? `Card from Shopify: ${attempt.cardBrand} •••• ${attempt.cardLast4}` : "Card from Shopify (not readable)",
      detail: { idempotencyKey: attempt.idempotencyKey, merchantRef: attempt.merchantRef },
    });
    return attempt;
  });
}

/** Jobs written by older versions carried the sealed card in their payload: move it to CardPayload and erase it from the job row. */
async function moveLegacyPayload(jobId: string, sessionId: string, sealed: string, moto: boolean) {
  const session = await db().paymentSession.findUnique({ where: { id: sessionId }, select: { status: true, createdAt: true } });
  await db().$transaction([
    ...(session?.status === "processing"
      ? [
          db().cardPayload.upsert({
            where: { paymentSessionId: sessionId },
            create: { paymentSessionId: sessionId, ciphertext: sealed, expiresAt: new Date(session.createdAt.getTime() + CARD_CHARGE_WINDOW_MS) },
            update: {},
          }),
        ]
      : []),
    db().job.update({ where: { id: jobId }, data: { payload: JSON.stringify({ paymentSessionId: sessionId, moto }) } }),
  ]);
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

/** Where the gateway sends the shopper after the challenge: our opaque token only. */
export function cardThreeDsReturnUrl(appUrl: string, token: string): string {
  return `${appUrl}/card-3ds/${token}/return`;
}

/** The 3-D Secure page Shopify shows the shopper (paymentSessionRedirect's redirectUrl). */
export function cardThreeDsPageUrl(appUrl: string, token: string): string {
  return `${appUrl}/card-3ds/${token}`;
}
