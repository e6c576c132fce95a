/**
 * The Accrue state machines, on the sandbox's settable clock:
 *   intent   RequiresAction → Promotable → PromotedToPayment | Canceled
 *   payment  Created (or Authorized) → capture → Waiting → Processing → Sent; Complete; Canceled
 *   refund   Pending → success status | Failed
 * Time-driven steps (Waiting → Processing → Sent, refund settlement, RequiresAction clearing,
 * authorization expiry) happen in advance(), which the server runs before every request and
 * tests run with sandbox.tick(). Every change emits a webhook event.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Behaviour } from "./knobs";
import { MAGIC_PHONES, outcomeForPhone } from "./magic-phones";
import {
  Merchant,
  type EventRecord,
  type IntentRecord,
  type PaymentRecord,
  type RefundRecord,
  type ResourceObject,
  type UserRecord,
  type WalletRecord,
  type WebhookTopic,
} from "./store";
import { intentResource, paymentResource, refundResource } from "./views";

/** A refused operation: the server turns it into an error document. */
export class Refusal extends Error {
  constructor(
    readonly kind: "state" | "decline" | "not_found" | "invalid",
    readonly code: string,
    detail: string,
    readonly meta?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

const CAPTURED: ReadonlySet<string> = new Set(["Waiting", "Processing", "Sent", "Complete"]);
const UNCAPTURED: ReadonlySet<string> = new Set(["Created", "Authorized"]);

export interface EngineHooks {
  nowMs(): number;
  behaviour(): Behaviour;
  emit(merchant: Merchant, event: EventRecord, included: ResourceObject[]): void;
}

export class Engine {
  private seq = 0;

  constructor(private readonly hooks: EngineHooks) {}

  private iso(ms = this.hooks.nowMs()): string {
    return new Date(ms).toISOString();
  }

  private emit(merchant: Merchant, topic: WebhookTopic, resource: ResourceObject): void {
    const behaviour = this.hooks.behaviour();
    const at = this.iso();
    const event: EventRecord = { id: randomUUID(), seq: (this.seq += 1), topic, resource, createdAt: at, updatedAt: at };
    merchant.events.push(event);
    const paymentTopic = topic === "PaymentCreated" || topic === "PaymentUpdated";
    this.hooks.emit(merchant, event, paymentTopic && behaviour.paymentWebhookIncluded === "empty" ? [] : [resource]);
  }

  private intentChanged(merchant: Merchant, intent: IntentRecord, topic: WebhookTopic = "PaymentIntentUpdated"): void {
    intent.updatedAt = this.iso();
    this.emit(merchant, topic, intentResource(intent, this.hooks.behaviour()));
  }

  private paymentChanged(merchant: Merchant, payment: PaymentRecord, topic: WebhookTopic = "PaymentUpdated"): void {
    payment.updatedAt = this.iso();
    this.emit(merchant, topic, paymentResource(payment, this.hooks.behaviour()));
  }

  private refundChanged(merchant: Merchant, refund: RefundRecord, topic: WebhookTopic = "RefundUpdated"): void {
    refund.updatedAt = this.iso();
    this.emit(merchant, topic, refundResource(refund));
  }

  // ---- users and wallets (created when a shopper signs in to the widget) ----------------

  signIn(merchant: Merchant, phoneNumber: string): { user: UserRecord; wallet: WalletRecord } {
    const existing = merchant.userByPhone(phoneNumber);
    const at = this.iso();
    const user = existing ?? {
      id: randomUUID(),
      phoneNumber,
      attachedProfile: { referenceId: null, email: null, phoneNumber: null },
      createdAt: at,
      updatedAt: at,
    };
    merchant.users.set(user.id, user);
    let wallet = merchant.walletOfUser(user.id);
    if (!wallet) {
      const deposit = phoneNumber === MAGIC_PHONES.insufficientFunds ? 0 : this.hooks.behaviour().walletBalance;
      wallet = { id: randomUUID(), userId: user.id, deposit, held: 0, createdAt: at, updatedAt: at };
      merchant.wallets.set(wallet.id, wallet);
    }
    return { user, wallet };
  }

  /** What the widget does once the shopper has signed in and chosen to pay. */
  createIntent(merchant: Merchant, input: { phoneNumber: string; amount: number; reference: string | null }): IntentRecord {
    const behaviour = this.hooks.behaviour();
    const { user, wallet } = this.signIn(merchant, input.phoneNumber);
    const outcome = outcomeForPhone(input.phoneNumber);
    const now = this.hooks.nowMs();
    const needsAction = outcome === "requiresAction" || outcome === "linkedAccountUnverified";
    const intent: IntentRecord = {
      id: randomUUID(),
      seq: (this.seq += 1),
      status: needsAction ? "RequiresAction" : "Promotable",
      reference: behaviour.widgetReference === "dropped" ? null : input.reference,
      amount: input.amount,
      userId: user.id,
      walletId: wallet.id,
      phoneNumber: input.phoneNumber,
      outcome,
      error: outcome === "linkedAccountUnverified" ? "LinkedAccountUnverified" : null,
      expiresAt: behaviour.intentTtlMs === null ? null : this.iso(now + behaviour.intentTtlMs),
      actionClearsAtMs: outcome === "requiresAction" && behaviour.requiresActionMs !== null ? now + behaviour.requiresActionMs : null,
      paymentIds: [],
      createdAt: this.iso(now),
      updatedAt: this.iso(now),
    };
    merchant.intents.set(intent.id, intent);
    this.emit(merchant, "PaymentIntentCreated", intentResource(intent, behaviour));
    return intent;
  }

  clearRequiredAction(merchant: Merchant, intent: IntentRecord): void {
    if (intent.status !== "RequiresAction" || intent.error !== null) return;
    intent.status = "Promotable";
    intent.actionClearsAtMs = null;
    this.intentChanged(merchant, intent);
  }

  // ---- intents -------------------------------------------------------------------------

  intent(merchant: Merchant, id: string): IntentRecord {
    const intent = merchant.intents.get(id);
    if (!intent) throw new Refusal("not_found", "not_found", "No payment intent with this id");
    return intent;
  }

  cancelIntent(merchant: Merchant, intent: IntentRecord): void {
    if (intent.status !== "Promotable" && intent.status !== "RequiresAction") {
      throw new Refusal("state", "payment_intent_not_cancelable", `A payment intent in status ${intent.status} cannot be canceled`, { status: intent.status });
    }
    intent.status = "Canceled";
    this.intentChanged(merchant, intent);
  }

  authorize(merchant: Merchant, intent: IntentRecord, amount: number): void {
    const behaviour = this.hooks.behaviour();
    const now = this.hooks.nowMs();
    if (intent.status === "Canceled") throw new Refusal("state", "payment_intent_canceled", "The payment intent was canceled", { status: intent.status });
    if (intent.error === "LinkedAccountUnverified") {
      throw new Refusal("decline", "linked_account_unverified", "The shopper's linked account is not verified", { status: intent.status });
    }
    if (intent.status === "RequiresAction") {
      throw new Refusal("state", "payment_intent_requires_action", "The payment intent requires action from the shopper", { status: intent.status });
    }
    if (intent.status === "PromotedToPayment") {
      if (behaviour.repeatedAuthorize === "same_payment") return;
      if (behaviour.repeatedAuthorize === "error") {
        throw new Refusal("state", "payment_intent_already_promoted", "The payment intent was already promoted to a payment", { status: intent.status });
      }
    }
    if (intent.expiresAt !== null && Date.parse(intent.expiresAt) <= now) {
      throw new Refusal("state", "payment_intent_expired", "The payment intent has expired", { status: intent.status });
    }
    const wallet = merchant.wallets.get(intent.walletId);
    if (intent.outcome === "declined") throw new Refusal("decline", "payment_declined", "The payment was declined");
    if (!wallet || wallet.deposit < amount) {
      throw new Refusal("decline", "insufficient_funds", "The wallet's available balance is too low for this amount");
    }
    wallet.deposit -= amount;
    wallet.held += amount;
    wallet.updatedAt = this.iso(now);
    const payment: PaymentRecord = {
      id: randomUUID(),
      seq: (this.seq += 1),
      intentId: intent.id,
      status: behaviour.statusAfterAuthorize,
      authorizedAmount: amount,
      capturedAmount: null,
      outcome: intent.outcome,
      expiresAt: this.iso(now + behaviour.authorizationTtlMs),
      processingAtMs: null,
      sentAtMs: null,
      refundIds: [],
      createdAt: this.iso(now),
      updatedAt: this.iso(now),
    };
    merchant.payments.set(payment.id, payment);
    intent.paymentIds.push(payment.id);
    this.paymentChanged(merchant, payment, "PaymentCreated");
    intent.status = "PromotedToPayment";
    this.intentChanged(merchant, intent);
  }

  // ---- payments ------------------------------------------------------------------------

  payment(merchant: Merchant, id: string): PaymentRecord {
    const payment = merchant.payments.get(id);
    if (!payment) throw new Refusal("not_found", "not_found", "No payment with this id");
    return payment;
  }

  private walletOf(merchant: Merchant, payment: PaymentRecord): WalletRecord | undefined {
    const intent = merchant.intents.get(payment.intentId);
    return intent ? merchant.wallets.get(intent.walletId) : undefined;
  }

  private authorizationLive(payment: PaymentRecord): boolean {
    return Date.parse(payment.expiresAt) > this.hooks.nowMs();
  }

  capture(merchant: Merchant, payment: PaymentRecord, amount: number): void {
    const behaviour = this.hooks.behaviour();
    if (!UNCAPTURED.has(payment.status)) {
      throw new Refusal("state", "payment_not_capturable", `A payment in status ${payment.status} cannot be captured`, { status: payment.status });
    }
    if (!this.authorizationLive(payment)) throw new Refusal("state", "authorization_expired", "The authorization has expired", { status: payment.status });
    if (amount > payment.authorizedAmount) {
      throw new Refusal("state", "amount_exceeds_authorization", `The capture amount exceeds the authorized ${payment.authorizedAmount}`, {
        authorized: payment.authorizedAmount,
      });
    }
    if (payment.outcome === "captureFails") throw new Refusal("decline", "capture_failed", "The capture failed");
    const now = this.hooks.nowMs();
    const wallet = this.walletOf(merchant, payment);
    if (wallet) {
      wallet.held -= payment.authorizedAmount;
      wallet.deposit += payment.authorizedAmount - amount;
      wallet.updatedAt = this.iso(now);
    }
    payment.capturedAmount = amount;
    payment.status = "Waiting";
    payment.processingAtMs = now + behaviour.waitingPeriodMs;
    payment.sentAtMs = payment.processingAtMs + behaviour.processingMs;
    merchant.captures.push({ paymentId: payment.id, amount, at: this.iso(now) });
    this.paymentChanged(merchant, payment);
  }

  increaseAuthorization(merchant: Merchant, payment: PaymentRecord, increase: number): void {
    if (!UNCAPTURED.has(payment.status)) {
      throw new Refusal("state", "payment_not_increasable", `A payment in status ${payment.status} cannot be increased`, { status: payment.status });
    }
    if (!this.authorizationLive(payment)) throw new Refusal("state", "authorization_expired", "The authorization has expired", { status: payment.status });
    const wallet = this.walletOf(merchant, payment);
    if (!wallet || wallet.deposit < increase) throw new Refusal("decline", "insufficient_funds", "The wallet's available balance is too low");
    wallet.deposit -= increase;
    wallet.held += increase;
    payment.authorizedAmount += increase;
    this.paymentChanged(merchant, payment);
  }

  cancelPayment(merchant: Merchant, payment: PaymentRecord): void {
    const behaviour = this.hooks.behaviour();
    const cancelable =
      payment.status === "Created" || payment.status === "Waiting" || (payment.status === "Authorized" && behaviour.cancelAuthorized === "allowed");
    if (!cancelable) {
      throw new Refusal("state", "payment_not_cancelable", `A payment in status ${payment.status} cannot be canceled`, { status: payment.status });
    }
    if (payment.refundIds.length > 0)
      throw new Refusal("state", "payment_has_refunds", "A payment with refunds cannot be canceled", { status: payment.status });
    const wallet = this.walletOf(merchant, payment);
    if (wallet) {
      if (payment.capturedAmount === null) {
        wallet.held -= payment.authorizedAmount;
        wallet.deposit += payment.authorizedAmount;
      } else wallet.deposit += payment.capturedAmount;
    }
    payment.status = "Canceled";
    payment.processingAtMs = null;
    payment.sentAtMs = null;
    this.paymentChanged(merchant, payment);
  }

  complete(merchant: Merchant, payment: PaymentRecord): void {
    if (!UNCAPTURED.has(payment.status) && payment.status !== "Waiting" && payment.status !== "Processing" && payment.status !== "Sent") {
      throw new Refusal("state", "payment_not_completable", `A payment in status ${payment.status} cannot be completed`, { status: payment.status });
    }
    const wallet = this.walletOf(merchant, payment);
    if (payment.capturedAmount === null) {
      // Nothing was drawn from the authorization: all of it goes back to the shopper.
      if (wallet) {
        wallet.held -= payment.authorizedAmount;
        wallet.deposit += payment.authorizedAmount;
      }
      payment.capturedAmount = 0;
    }
    payment.status = "Complete";
    payment.processingAtMs = null;
    payment.sentAtMs = null;
    this.paymentChanged(merchant, payment);
  }

  refund(merchant: Merchant, payment: PaymentRecord, amount: number): RefundRecord {
    const behaviour = this.hooks.behaviour();
    if (payment.capturedAmount === null || !CAPTURED.has(payment.status)) {
      throw new Refusal("state", "payment_not_refundable", `A payment in status ${payment.status} cannot be refunded`, { status: payment.status });
    }
    const remaining = payment.capturedAmount - merchant.refundedAmount(payment);
    if (amount > remaining) {
      throw new Refusal("state", "refund_exceeds_captured", `The refund exceeds what is left to refund (${remaining})`, { remaining });
    }
    const now = this.hooks.nowMs();
    const refund: RefundRecord = {
      id: randomUUID(),
      seq: (this.seq += 1),
      paymentId: payment.id,
      status: "Pending",
      amount,
      settlesAtMs: now + behaviour.refundSettleMs,
      outcome: payment.outcome,
      createdAt: this.iso(now),
      updatedAt: this.iso(now),
    };
    merchant.refunds.set(refund.id, refund);
    payment.refundIds.push(refund.id);
    this.refundChanged(merchant, refund, "RefundCreated");
    return refund;
  }

  // ---- the clock -----------------------------------------------------------------------

  /** Applies every time-driven transition that is due. */
  advance(merchant: Merchant): void {
    const behaviour = this.hooks.behaviour();
    const now = this.hooks.nowMs();
    for (const intent of merchant.intents.values()) {
      if (intent.status === "RequiresAction" && intent.actionClearsAtMs !== null && intent.actionClearsAtMs <= now) this.clearRequiredAction(merchant, intent);
    }
    for (const payment of merchant.payments.values()) {
      if (payment.status === "Waiting" && payment.processingAtMs !== null && payment.processingAtMs <= now) {
        payment.status = "Processing";
        this.paymentChanged(merchant, payment);
      }
      if (payment.status === "Processing" && payment.sentAtMs !== null && payment.sentAtMs <= now) {
        payment.status = "Sent";
        this.paymentChanged(merchant, payment);
      }
      if (UNCAPTURED.has(payment.status) && !this.authorizationLive(payment) && behaviour.expiredAuthorization !== "unchanged") {
        const wallet = this.walletOf(merchant, payment);
        if (wallet) {
          wallet.held -= payment.authorizedAmount;
          wallet.deposit += payment.authorizedAmount;
        }
        payment.status = behaviour.expiredAuthorization;
        this.paymentChanged(merchant, payment);
      }
    }
    for (const refund of merchant.refunds.values()) {
      if (refund.status !== "Pending" || refund.settlesAtMs > now || refund.outcome === "refundStuckPending") continue;
      const payment = merchant.payments.get(refund.paymentId);
      const received = payment !== undefined && (payment.status === "Sent" || payment.status === "Complete");
      if (behaviour.refundSettles === "after_payment_sent" && !received) continue;
      refund.status = refund.outcome === "refundFails" ? "Failed" : behaviour.refundSuccessStatus;
      if (refund.status !== "Failed" && payment) {
        const wallet = this.walletOf(merchant, payment);
        if (wallet) wallet.deposit += refund.amount;
      }
      this.refundChanged(merchant, refund);
    }
  }
}

/** A webhook signing secret: 64 hex characters, like the document's sample credentials. */
export function newSecret(): string {
  return randomBytes(32).toString("hex");
}

export { Merchant };
