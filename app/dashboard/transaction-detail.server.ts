import { db } from "~/db.server";
import { gatewayDisplayName, gatewayVoids } from "~/dashboard/gateways.server";
import { formatDecimalAmount } from "~/dashboard/money";
import { jobLabel, jobsOfSession } from "~/dashboard/session-jobs.server";
import { finalizedStatusLabel } from "~/dashboard/status";
import { toRow, type TransactionRow } from "~/dashboard/transactions.server";
import { retryDeadJob } from "~/jobs";

/**
 * One payment session for its merchant: the row of the list plus its timeline, card
 * attempts, refunds, captures, voids and background jobs. Card attempts show brand, last four
 * and the gateway's error name, nothing else of the card (docs/decisions/card-data-never-stored.md).
 * Gateway ids are labelled with the gateway's display name ("Accrue payment ID").
 */
export interface TransactionDetail {
  transaction: TransactionRow & {
    gid: string;
    paymentMethodType: string;
    shopifyState: string | null;
    gatewayStatus: string | null;
    rejectReason: string | null;
    merchantMessage: string | null;
    pendingExpiresAt: string | null;
    authorizationExpiresAt: string | null;
    finalizedAt: string | null;
    /** Labels of the gateway's fields, named after the gateway ("Accrue payment ID"). */
    gatewayLabels: { paymentId: string; status: string; error: string };
  };
  timeline: { id: string; at: string; kind: string; summary: string; detail: [string, string][] }[];
  attempts: {
    number: number;
    at: string;
    status: string;
    cardBrand: string | null;
    cardLast4: string | null;
    errorName: string | null;
    gatewayPaymentId: string | null;
  }[];
  refunds: FinalizedRow[];
  captures: FinalizedRow[];
  voids: FinalizedRow[];
  jobs: {
    id: string;
    label: string;
    type: string;
    status: string;
    attempts: number;
    maxAttempts: number;
    runAt: string;
    lastError: string | null;
    updatedAt: string;
  }[];
}

interface FinalizedRow {
  id: string;
  shopifyId: string;
  at: string;
  amount: string | null;
  status: string;
  statusLabel: string;
  test: boolean;
  /** The gateway's id of the refund, capture or void (or of the refund that stood in for a void). */
  gatewayRecordId: string | null;
  /** What that id is, at which gateway: "Accrue refund ID", "Accrue capture ID", "Accelebit refund ID" (a void by refund). */
  gatewayRecordLabel: string;
  rejectReason: string | null;
  merchantMessage: string | null;
  finalizedAt: string | null;
}

const FINALIZED_FIELDS = {
  id: true,
  shopifyId: true,
  createdAt: true,
  status: true,
  test: true,
  gateway: true,
  rejectReason: true,
  merchantMessage: true,
  finalizedAt: true,
} as const;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** null when the session does not exist or is another shop's: the route answers 404 to both. */
export async function loadTransactionDetail(shopId: string, id: string): Promise<TransactionDetail | null> {
  const session = await db().paymentSession.findFirst({
    where: { id, shopId },
    select: {
      id: true,
      createdAt: true,
      shopifyId: true,
      gid: true,
      group: true,
      kind: true,
      amount: true,
      currency: true,
      test: true,
      paymentMethodType: true,
      status: true,
      gateway: true,
      shopifyState: true,
      gatewayStatus: true,
      gatewayPaymentId: true,
      provider: true,
      rejectReason: true,
      merchantMessage: true,
      pendingExpiresAt: true,
      authorizationExpiresAt: true,
      finalizedAt: true,
      // Deliberately not the whole attempt row: brand, last four and the error name only.
      attempts: {
        select: { id: true, number: true, createdAt: true, status: true, cardBrand: true, cardLast4: true, errorName: true, gatewayPaymentId: true },
        orderBy: { number: "asc" },
      },
      events: { select: { id: true, createdAt: true, kind: true, summary: true, detail: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      refundSessions: { select: { ...FINALIZED_FIELDS, amount: true, gatewayRefundId: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      captureSessions: { select: { ...FINALIZED_FIELDS, amount: true, gatewayCaptureId: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      voidSessions: { select: { ...FINALIZED_FIELDS, gatewayVoidId: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    },
  });
  if (!session) return null;

  const gatewayPaymentIds = [...new Set([session.gatewayPaymentId, ...session.attempts.map((a) => a.gatewayPaymentId)].filter((v): v is string => Boolean(v)))];
  const jobs = await jobsOfSession(
    shopId,
    {
      paymentSessionId: session.id,
      attemptIds: session.attempts.map((a) => a.id),
      refundIds: session.refundSessions.map((r) => r.id),
      captureIds: session.captureSessions.map((c) => c.id),
      voidIds: session.voidSessions.map((v) => v.id),
    },
    gatewayPaymentIds,
  );

  const finalized = (
    kind: "refund" | "capture" | "void",
    row: {
      id: string;
      shopifyId: string;
      createdAt: Date;
      status: string;
      test: boolean;
      gateway: string;
      rejectReason: string | null;
      merchantMessage: string | null;
      finalizedAt: Date | null;
      amount?: { toFixed(dp?: number): string };
      gatewayRefundId?: string | null;
      gatewayCaptureId?: string | null;
      gatewayVoidId?: string | null;
    },
  ): FinalizedRow => ({
    id: row.id,
    shopifyId: row.shopifyId,
    at: row.createdAt.toISOString(),
    amount: row.amount ? formatDecimalAmount(row.amount, session.currency) : null,
    status: row.status,
    statusLabel: finalizedStatusLabel(row.status),
    test: row.test,
    gatewayRecordId: row.gatewayRefundId ?? row.gatewayCaptureId ?? row.gatewayVoidId ?? null,
    gatewayRecordLabel: gatewayRecordLabel(kind, row.gateway),
    rejectReason: row.rejectReason,
    merchantMessage: row.merchantMessage,
    finalizedAt: iso(row.finalizedAt),
  });

  return {
    transaction: {
      ...toRow(session),
      gid: session.gid,
      paymentMethodType: session.paymentMethodType,
      shopifyState: session.shopifyState,
      gatewayStatus: session.gatewayStatus,
      rejectReason: session.rejectReason,
      merchantMessage: session.merchantMessage,
      pendingExpiresAt: iso(session.pendingExpiresAt),
      authorizationExpiresAt: iso(session.authorizationExpiresAt),
      finalizedAt: iso(session.finalizedAt),
      gatewayLabels: gatewayLabels(session.gateway),
    },
    timeline: session.events.map((event) => ({
      id: event.id,
      at: event.createdAt.toISOString(),
      kind: event.kind,
      summary: event.summary,
      detail: detailPairs(event.detail),
    })),
    attempts: session.attempts.map((a) => ({
      number: a.number,
      at: a.createdAt.toISOString(),
      status: a.status,
      cardBrand: a.cardBrand,
      cardLast4: a.cardLast4,
      errorName: a.errorName,
      gatewayPaymentId: a.gatewayPaymentId,
    })),
    refunds: session.refundSessions.map((row) => finalized("refund", row)),
    captures: session.captureSessions.map((row) => finalized("capture", row)),
    voids: session.voidSessions.map((row) => finalized("void", row)),
    jobs: jobs.map((job) => ({
      id: job.id,
      label: jobLabel(job.type),
      type: job.type,
      status: job.status,
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      runAt: job.runAt.toISOString(),
      lastError: job.lastError,
      updatedAt: job.updatedAt.toISOString(),
    })),
  };
}

function gatewayLabels(gateway: string): TransactionDetail["transaction"]["gatewayLabels"] {
  const name = gatewayDisplayName(gateway);
  return { paymentId: `${name} payment ID`, status: `${name} status`, error: `${name} error` };
}

/** A gateway without a void of its own (Accelebit) stands a refund in for it: its id is a refund's. */
function gatewayRecordLabel(kind: "refund" | "capture" | "void", gateway: string): string {
  const record = kind === "void" && !gatewayVoids(gateway) ? "refund" : kind;
  return `${gatewayDisplayName(gateway)} ${record} ID`;
}

/** A timeline event's detail (flat JSON written by recordEvent) as label/value pairs. */
function detailPairs(detail: string | null): [string, string][] {
  if (!detail) return [];
  try {
    const parsed: unknown = JSON.parse(detail);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
    return Object.entries(parsed).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]);
  } catch {
    return [];
  }
}

export type RetryResult = "retried" | "not-found" | "not-dead";

/**
 * Retries a dead job from a transaction's page. Only a job of this session, and so of this
 * shop, is touched: an id from elsewhere is "not-found", exactly like one that does not exist.
 */
export async function retrySessionJob(shopId: string, paymentSessionId: string, jobId: string): Promise<RetryResult> {
  const detail = await loadTransactionDetail(shopId, paymentSessionId);
  const job = detail?.jobs.find((j) => j.id === jobId);
  if (!job) return "not-found";
  return (await retryDeadJob(job.id)) ? "retried" : "not-dead";
}
