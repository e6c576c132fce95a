/**
 * The sandbox's in-memory state: one merchant account per API key, with its customers,
 * payments, refunds and Idempotency-Keys. Accounts never see each other's records.
 */
import type { SandboxResponse } from "./http";

export type PaymentStatus = "captured" | "authorized" | "pending_3ds" | "failed";

export interface ThreeDsData {
  redirectUrl: string;
  method: "GET" | "POST";
  parameters: Record<string, string>;
}

export interface PaymentRecord {
  id: string;
  seq: number;
  status: PaymentStatus;
  amount: string;
  currency: string;
  provider: string;
  threeDsRequired: boolean;
  threeDsData: ThreeDsData | null;
  createdAt: string;
  merchantRef: string | null;
  customerId: string | null;
  returnUrl: string | null;
  error: { name: string; message: string } | null;
  /** Only the last four digits are kept: even a sandbox does not store PANs. */
  cardLast4: string | null;
  refundedCents: bigint;
  metadata: Record<string, unknown> | null;
}

export interface RefundRecord {
  id: string;
  transactionId: string;
  amount: string;
  currency: string;
  status: "created";
  reason: string | null;
  createdAt: string;
}

export interface CustomerRecord {
  id: string;
  externalId: string;
  email: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

/** What an Idempotency-Key remembers: the request's fingerprint and, once known, its answer. */
export interface IdempotencyEntry {
  fingerprint: string;
  createdAtMs: number;
  /** Resolves with the stored answer, or null when the request left nothing to replay. */
  answer: Promise<SandboxResponse | null>;
  settle: (answer: SandboxResponse | null) => void;
}

export interface ThreeDsChallenge {
  token: string;
  paymentId: string;
  method: "GET" | "POST";
  completed: boolean;
}

export class Account {
  readonly customers = new Map<string, CustomerRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly idempotency = new Map<string, IdempotencyEntry>();
  /** Idempotency-Keys whose provider_error_once card already failed once. */
  readonly flakyCardsSeen = new Set<string>();
  webhook: WebhookTarget | null = null;

  constructor(
    readonly apiKey: string,
    readonly mode: "test" | "live",
  ) {}

  customerByExternalId(externalId: string): CustomerRecord | undefined {
    for (const customer of this.customers.values()) if (customer.externalId === externalId) return customer;
    return undefined;
  }

  /** Newest first. */
  paymentsByMerchantRef(merchantRef: string): PaymentRecord[] {
    return [...this.payments.values()].filter((payment) => payment.merchantRef === merchantRef).sort((a, b) => b.seq - a.seq);
  }

  stats() {
    const byStatus: Record<PaymentStatus, number> = { captured: 0, authorized: 0, pending_3ds: 0, failed: 0 };
    for (const payment of this.payments.values()) byStatus[payment.status] += 1;
    return { mode: this.mode, customers: this.customers.size, payments: this.payments.size, refunds: this.refunds.size, byStatus };
  }
}

/** Views: exactly the documented response fields. */
export function paymentCreatedView(payment: PaymentRecord) {
  return {
    id: payment.id,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    provider: payment.provider,
    threeDsRequired: payment.threeDsRequired,
    threeDsData: payment.threeDsData,
    createdAt: payment.createdAt,
  };
}

/** Retrieve and lookup add what the retrieve page promises: error info on failed payments. */
export function paymentDetailView(payment: PaymentRecord) {
  return { ...paymentCreatedView(payment), merchantRef: payment.merchantRef, error: payment.error };
}

export function maskKey(apiKey: string): string {
  // "smtgw_sk_test_" and "smtgw_sk_live_" are both 14 characters: the mode stays visible.
  return `${apiKey.slice(0, 14)}…${apiKey.slice(-4)}`;
}
