/** Records as JSON:API resource objects, in the shapes of the document's samples. */
import type { Behaviour } from "./knobs";
import type { EventRecord, IntentRecord, Merchant, PaymentRecord, RefundRecord, ResourceObject, UserRecord, WalletRecord, WebhookRecord } from "./store";

const PREFIX = "/api/v1";

export function intentResource(intent: IntentRecord, behaviour: Behaviour): ResourceObject {
  return {
    id: intent.id,
    type: "PaymentIntent",
    attributes: {
      billingAddress: null,
      email: null,
      error: intent.error,
      expiresAt: intent.expiresAt,
      fullName: null,
      phoneNumber: intent.phoneNumber,
      reference: intent.reference,
      status: intent.status,
      userId: intent.userId,
      walletId: intent.walletId,
      ...(behaviour.intentAmount === "present" ? { amount: intent.amount } : {}),
      updatedAt: intent.updatedAt,
      createdAt: intent.createdAt,
    },
    relationships: {
      payments: { data: intent.paymentIds.map((id) => ({ id, type: "Payment" })) },
    },
  };
}

export function paymentAmount(payment: PaymentRecord, behaviour: Behaviour): number {
  return payment.capturedAmount !== null && behaviour.amountAfterPartialCapture === "captured" ? payment.capturedAmount : payment.authorizedAmount;
}

export function paymentResource(payment: PaymentRecord, behaviour: Behaviour): ResourceObject {
  return {
    id: payment.id,
    type: "Payment",
    attributes: {
      id: payment.id,
      status: payment.status,
      amount: paymentAmount(payment, behaviour),
      expiresAt: payment.expiresAt,
      updatedAt: payment.updatedAt,
      createdAt: payment.createdAt,
    },
    relationships: {
      paymentIntent: { data: { id: payment.intentId, type: "PaymentIntent" }, links: { self: `${PREFIX}/payment-intents/${payment.intentId}` } },
      refunds: { data: payment.refundIds.map((id) => ({ id, type: "Refund" })) },
    },
  };
}

export function refundResource(refund: RefundRecord): ResourceObject {
  return {
    id: refund.id,
    type: "Refund",
    attributes: { id: refund.id, status: refund.status, amount: refund.amount, createdAt: refund.createdAt, updatedAt: refund.updatedAt },
  };
}

export function webhookResource(webhook: WebhookRecord, withSecret: boolean): ResourceObject {
  return {
    id: webhook.id,
    type: "Webhook",
    attributes: {
      enabled: webhook.enabled,
      name: webhook.name,
      url: webhook.url,
      ...(withSecret ? { secret: webhook.secret } : {}),
      topics: [...webhook.topics],
      updatedAt: webhook.updatedAt,
      createdAt: webhook.createdAt,
    },
  };
}

export function eventResource(event: EventRecord): ResourceObject {
  return { id: event.id, type: "WebhookEvent", attributes: { topic: event.topic, updatedAt: event.updatedAt, createdAt: event.createdAt } };
}

export function userResource(user: UserRecord): ResourceObject {
  return {
    id: user.id,
    type: "User",
    attributes: {
      disabled: false,
      publicId: user.id.slice(0, 8),
      profile: { firstName: null, lastName: null, email: null, phoneNumber: user.phoneNumber },
      attachedProfile: { ...user.attachedProfile },
      updatedAt: user.updatedAt,
      createdAt: user.createdAt,
    },
  };
}

/** Wallet with its balance, in the shape of "Get Wallet Balance" (cents). */
export function walletBalanceResource(wallet: WalletRecord): ResourceObject {
  const zeroRewards = { accrue: 0, merchant: 0, total: 0 };
  return {
    id: wallet.id,
    type: "Wallet",
    attributes: {
      status: "Active",
      updatedAt: wallet.updatedAt,
      createdAt: wallet.createdAt,
      balance: {
        available: { deposit: wallet.deposit, reward: zeroRewards, total: wallet.deposit },
        pending: { deposit: 0, reward: zeroRewards, total: 0 },
        reserved: { total: wallet.held },
        total: { deposit: wallet.deposit + wallet.held, reward: zeroRewards, total: wallet.deposit + wallet.held },
        held: { total: wallet.held },
      },
    },
    relationships: {},
  };
}

export function walletResource(wallet: WalletRecord): ResourceObject {
  return {
    id: wallet.id,
    type: "Wallet",
    attributes: { status: "Active", updatedAt: wallet.updatedAt, createdAt: wallet.createdAt },
    relationships: { user: { data: [{ id: wallet.userId, type: "User" }] } },
  };
}

/** `?include=` of a payment: its intent and/or its refunds. */
export function paymentIncludes(merchant: Merchant, payment: PaymentRecord, include: ReadonlySet<string>, behaviour: Behaviour): ResourceObject[] {
  const included: ResourceObject[] = [];
  if (include.has("refunds")) {
    for (const id of payment.refundIds) {
      const refund = merchant.refunds.get(id);
      if (refund) included.push(refundResource(refund));
    }
  }
  const intent = merchant.intents.get(payment.intentId);
  if (include.has("paymentIntent") && intent) included.push(intentResource(intent, behaviour));
  return included;
}

/** `?include=` of an intent: its payments (and a `client` stand-in). */
export function intentIncludes(merchant: Merchant, intent: IntentRecord, include: ReadonlySet<string>, behaviour: Behaviour): ResourceObject[] {
  const included: ResourceObject[] = [];
  if (include.has("payments")) {
    for (const id of intent.paymentIds) {
      const payment = merchant.payments.get(id);
      if (payment) included.push(paymentResource(payment, behaviour));
    }
  }
  if (include.has("client")) included.push({ id: merchant.clientId, type: "Client", attributes: { name: merchant.name } });
  return included;
}
