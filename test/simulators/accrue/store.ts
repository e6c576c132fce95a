/**
 * The sandbox's in-memory state: merchant accounts (one per Client ID and secret) with their
 * users, wallets, payment intents, payments, captures, refunds, webhooks and webhook events.
 * Accounts never see each other's records. Amounts are integer cents throughout.
 */
import type { PhoneOutcome } from "./magic-phones";

export type IntentStatus = "RequiresAction" | "Promotable" | "PromotedToPayment" | "Canceled";
export type PaymentStatus = "Created" | "Authorized" | "Waiting" | "Processing" | "Sent" | "Complete" | "Canceled" | "Expired";
export type RefundStatus = "Pending" | "Failed" | string;

export interface UserRecord {
  id: string;
  phoneNumber: string;
  attachedProfile: { referenceId: string | null; email: string | null; phoneNumber: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface WalletRecord {
  id: string;
  userId: string;
  /** Available deposit, cents. */
  deposit: number;
  /** Held by authorizations not yet captured or released, cents. */
  held: number;
  createdAt: string;
  updatedAt: string;
}

export interface IntentRecord {
  id: string;
  seq: number;
  status: IntentStatus;
  reference: string | null;
  amount: number;
  userId: string;
  walletId: string;
  phoneNumber: string;
  outcome: PhoneOutcome;
  error: string | null;
  expiresAt: string | null;
  /** When a RequiresAction intent becomes Promotable by itself (ms since epoch), or null. */
  actionClearsAtMs: number | null;
  paymentIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface PaymentRecord {
  id: string;
  seq: number;
  intentId: string;
  status: PaymentStatus;
  authorizedAmount: number;
  capturedAmount: number | null;
  outcome: PhoneOutcome;
  expiresAt: string;
  /** Clock points of the capture pipeline (ms since epoch), set at capture. */
  processingAtMs: number | null;
  sentAtMs: number | null;
  refundIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CaptureRecord {
  paymentId: string;
  amount: number;
  at: string;
}

export interface RefundRecord {
  id: string;
  seq: number;
  paymentId: string;
  status: RefundStatus;
  amount: number;
  /** Earliest settlement (ms since epoch); the payment must also be Sent unless `refundSettles` says otherwise. */
  settlesAtMs: number;
  outcome: PhoneOutcome;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookRecord {
  id: string;
  name: string;
  url: string;
  topics: string[];
  enabled: boolean;
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export const WEBHOOK_TOPICS = ["PaymentIntentCreated", "PaymentIntentUpdated", "PaymentCreated", "PaymentUpdated", "RefundCreated", "RefundUpdated"] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export interface EventRecord {
  id: string;
  seq: number;
  topic: WebhookTopic;
  /** The resource the event is about, serialised when the event happened. */
  resource: ResourceObject;
  createdAt: string;
  updatedAt: string;
}

export interface IdempotencyRecord {
  fingerprint: string;
  createdAtMs: number;
  status: number;
  body: unknown;
}

export interface ResourceObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, unknown>;
}

export class Merchant {
  readonly users = new Map<string, UserRecord>();
  readonly wallets = new Map<string, WalletRecord>();
  readonly intents = new Map<string, IntentRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly captures: CaptureRecord[] = [];
  readonly refunds = new Map<string, RefundRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly events: EventRecord[] = [];
  /** Key: operation + Idempotency-Key (keys are per operation). */
  readonly idempotency = new Map<string, IdempotencyRecord>();
  revoked = false;

  constructor(
    readonly clientId: string,
    public clientSecret: string,
    readonly name: string,
  ) {}

  userByPhone(phoneNumber: string): UserRecord | undefined {
    return [...this.users.values()].find((user) => user.phoneNumber === phoneNumber);
  }

  walletOfUser(userId: string): WalletRecord | undefined {
    return [...this.wallets.values()].find((wallet) => wallet.userId === userId);
  }

  /** Cents refunded or still refunding (Failed refunds do not count). */
  refundedAmount(payment: PaymentRecord): number {
    return payment.refundIds
      .map((id) => this.refunds.get(id))
      .filter((refund): refund is RefundRecord => refund !== undefined && refund.status !== "Failed")
      .reduce((sum, refund) => sum + refund.amount, 0);
  }
}
