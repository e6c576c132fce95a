import type { PaymentSessionStateRejectedReason } from "~/shopify/payments-apps";
import type { PaymentSessionStatus } from "~/payments/session-status";

/**
 * The one place that decides a payment session's next state (docs/decisions/0002-one-decision-function.md).
 * Pure: it gets the session as stored, the attempt a fact is about, and the fact; it returns
 * what to write and what to schedule. Every path that learns something — the shopper's
 * submission and 3-D Secure return, the credit-card job, webhooks, the sweeper, Shopify's
 * confirmation callback — comes through here, so they cannot disagree.
 */

export type AttemptStatus = "submitted" | "unknown" | "action_required" | "captured" | "authorized" | "failed";

export interface SessionView {
  status: PaymentSessionStatus;
  /** What the shopper pays with: a declined card and a declined wallet have their own reasons at Shopify. */
  instrument: "card" | "wallet";
  kind: "sale" | "authorization";
  method: "offsite" | "credit_card";
  /** Merchant-keyed credit-card payment: no shopper to authenticate. */
  moto: boolean;
  /** Attempts the session has, this one included. */
  attempts: number;
  maxAttempts: number;
  /** The shopper's deadline has not passed: they may still try another card. */
  shopperHasTime: boolean;
  /** The gateway's name, as merchants read it in messages. */
  gatewayName: string;
  /** The gateway captures an authorization later (its capabilities): a sale found only authorized is captured, not given up. */
  canCapture: boolean;
  /** The gateway releases an uncaptured authorization: one the session does not keep is released, not left to lapse. */
  canVoid: boolean;
  /** The gateway payment the session resolved (or is confirming) with. */
  keptPaymentId: string | null;
  /** The latest attempt, for session-level facts (deadlines, the end of the pending window). */
  latest: { status: AttemptStatus; threeDs: boolean; errorName: string | null } | null;
}

export interface AttemptView {
  id: string;
  number: number;
  status: AttemptStatus;
  threeDs: boolean;
  paymentId: string | null;
  /** Is it the session's latest attempt? News about an older one never moves the session. */
  latest: boolean;
}

export interface ThreeDsChallenge {
  redirectUrl: string;
  method: "GET" | "POST";
  parameters?: Record<string, string>;
}

/** What the gateway (or the lack of it) says about one attempt. */
export type AttemptFact =
  /** A payment the gateway returned: the create answer, a lookup or a re-read. */
  | {
      kind: "payment";
      paymentId: string;
      status: "captured" | "authorized" | "action_required" | "failed";
      amount: string | null;
      provider: string | null;
      /** Why it failed, in the domain's words (DECLINED, INSUFFICIENT_FUNDS, …) and the gateway's. */
      errorName: string | null;
      errorMessage: string | null;
      threeDs: ThreeDsChallenge | null;
    }
  /** The charge was declined without a payment record (DECLINED or INSUFFICIENT_FUNDS). */
  | { kind: "declined"; errorName: "DECLINED" | "INSUFFICIENT_FUNDS"; errorMessage: string }
  /** The gateway could not take it right now (retries spent) and confirmed nothing was charged. */
  | { kind: "not-charged"; errorName: string; errorMessage: string }
  /** Sent, and we cannot tell whether it charged. */
  | { kind: "unknown"; errorName: string; errorMessage: string }
  /** Refused for a reason that is not the card's (a bad key, an invalid request). */
  | { kind: "refused"; errorName: string; gatewayCode: string | null; errorMessage: string; merchantKey: boolean }
  /** The gateway has no payment for this attempt, and no request of ours can still create one. */
  | { kind: "no-payment" }
  /** Nothing was sent: the shop cannot charge this session (no credentials for its mode, an amount the gateway cannot take, unreadable card data). */
  | { kind: "cannot-charge"; message: string; cardUnreadable?: boolean };

/** What happened to the session itself. */
export type SessionFact =
  /** The shopper's time is up and whatever their attempt is doing was re-read. */
  | { kind: "deadline" }
  /** A pending session's window at Shopify is about to end without an outcome. */
  | { kind: "pending-window-over" }
  /** Shopify's answer to paymentSessionConfirm (credit card, after 3-D Secure). */
  | { kind: "confirmation"; confirmed: boolean };

export type Effect =
  /** Tell Shopify the session's new decision (resolve, reject or pending). */
  | "finalize"
  /** Ask Shopify to show our 3-D Secure page (credit card). */
  | "card-redirect"
  /** Ask Shopify to confirm a credit-card payment that passed 3-D Secure. */
  | "card-confirm"
  /** Refund the attempt's payment in full: the session does not keep it (docs/decisions/0003-surplus-charges.md). */
  | "refund-attempt"
  /** Refund the payment the session kept: Shopify refused the confirmation. */
  | "refund-kept"
  /** The charge is settled: the sealed card is no longer needed. */
  | "erase-card"
  /** Capture the attempt's authorization in full: a sale whose capture did not happen (docs/decisions/0016-authorized-sales.md). */
  | "capture-attempt"
  /** Release the attempt's authorization: the session does not keep it. */
  | "release-attempt";

export interface AttemptUpdate {
  status: AttemptStatus;
  threeDs?: boolean;
  paymentId?: string;
  errorName?: string | null;
  errorMessage?: string | null;
}

export interface SessionUpdate {
  status: PaymentSessionStatus;
  rejectReason?: PaymentSessionStateRejectedReason;
  merchantMessage?: string;
  /** Start Shopify's pending window now. */
  pending?: true;
}

/** What the shopper's page shows next. */
export type ShopperOutcome =
  | { kind: "resolving" }
  | { kind: "rejecting" }
  | { kind: "pending" }
  | { kind: "confirming" }
  | { kind: "three-ds"; challenge: ThreeDsChallenge }
  | { kind: "try-again"; message: string }
  | { kind: "unchanged" };

export interface Decision {
  attempt: AttemptUpdate | null;
  session: SessionUpdate | null;
  effects: Effect[];
  shopper: ShopperOutcome;
  /** One line for the merchant's timeline. */
  note: string;
}

const UNCHANGED: ShopperOutcome = { kind: "unchanged" };

/** Decided: the decision stands (the reject may already be at Shopify). */
const DECIDED: readonly PaymentSessionStatus[] = ["resolving", "rejecting", "resolved", "rejected"];
/** A charge or 3-D Secure of the latest attempt may still move the session. */
const OPEN: readonly PaymentSessionStatus[] = ["awaiting_card", "processing", "three_ds", "pending"];

/** An attempt's status only moves forward: a stale read cannot undo a newer one. */
const RANK: Record<AttemptStatus, number> = { submitted: 0, unknown: 1, action_required: 2, authorized: 3, captured: 4, failed: 4 };

export function isAttemptSettled(status: AttemptStatus): boolean {
  return status === "captured" || status === "authorized" || status === "failed";
}

function attemptUpdateFor(attempt: AttemptView, fact: AttemptFact): AttemptUpdate | null {
  const next: AttemptUpdate = (() => {
    switch (fact.kind) {
      case "payment":
        return {
          status: fact.status,
          paymentId: fact.paymentId,
          ...(fact.status === "action_required" ? { threeDs: true } : {}),
          ...(fact.status === "failed" ? { errorName: fact.errorName ?? "DECLINED", errorMessage: fact.errorMessage } : {}),
        };
      case "declined":
      case "not-charged":
      case "refused":
        return { status: "failed", errorName: fact.errorName, errorMessage: fact.errorMessage };
      case "unknown":
        return { status: "unknown", errorName: fact.errorName, errorMessage: fact.errorMessage };
      case "no-payment":
        return { status: "failed", errorName: "NO_PAYMENT", errorMessage: "the gateway has no payment for this attempt" };
      case "cannot-charge":
        return { status: "failed", errorName: fact.cardUnreadable ? "CARD_UNREADABLE" : "NOT_SENT", errorMessage: fact.message };
    }
  })();
  const forward = RANK[next.status] > RANK[attempt.status] || (attempt.status === "authorized" && next.status === "captured");
  if (forward) return next;
  // Same rank: only learn the payment id if it was missing.
  if (next.paymentId && !attempt.paymentId && RANK[next.status] === RANK[attempt.status]) return { status: attempt.status, paymentId: next.paymentId };
  return null;
}

function reject(reason: PaymentSessionStateRejectedReason, merchantMessage: string, effects: Effect[] = []): Omit<Decision, "attempt" | "note"> {
  return {
    session: { status: "rejecting", rejectReason: reason, merchantMessage: merchantMessage.slice(0, 500) },
    effects: ["finalize", ...effects],
    shopper: { kind: "rejecting" },
  };
}

const DECLINES = new Set(["DECLINED", "INSUFFICIENT_FUNDS"]);

/** Why the latest attempt failed, in Shopify's words (docs/decisions/0008-reject-reasons-after-3ds.md). */
function reasonForFailure(session: SessionView, threeDs: boolean, errorName: string | null): PaymentSessionStateRejectedReason {
  if (threeDs && (errorName === null || DECLINES.has(errorName))) return "AUTHENTICATION_FAILED";
  if (errorName === "INSUFFICIENT_FUNDS") return "INSUFFICIENT_FUNDS";
  if (errorName === "DECLINED") return session.instrument === "wallet" ? "INSTRUMENT_DECLINED" : "CARD_DECLINED";
  return "PROCESSING_ERROR";
}

const SHOPPER_DECLINED = "Your card was declined. Try another card or contact your bank.";
const SHOPPER_THREE_DS_FAILED = "Your bank could not confirm this payment. Try again or use another card.";
const SHOPPER_TRY_LATER = "The payment could not be processed right now. Please try again.";
const SHOPPER_WALLET_DECLINED = "Your wallet could not pay this amount. Try again or choose another way to pay.";

/** A fact about one attempt. */
export function decideForAttempt(session: SessionView, attempt: AttemptView, fact: AttemptFact): Decision {
  const update = attemptUpdateFor(attempt, fact);
  const status = update?.status ?? attempt.status;
  const threeDs = update?.threeDs ?? attempt.threeDs;
  const paymentId = update?.paymentId ?? attempt.paymentId;
  const label = `Attempt ${attempt.number}`;
  const said = `${label}: ${describeFact(fact, session.gatewayName)}`;
  // The timeline line: what the gateway said, and why it did not move the session when that needs saying.
  const made = (part: Omit<Decision, "attempt" | "note">, why?: string): Decision => ({ attempt: update, ...part, note: why ? `${said}; ${why}` : said });
  const nothing = (why?: string): Decision => made({ session: null, effects: [], shopper: UNCHANGED }, why);

  // Money: captured (or an authorization the session can keep).
  const keepable = status === "captured" || (status === "authorized" && (session.kind === "authorization" || session.method === "credit_card"));
  if (keepable && paymentId) {
    if (session.keptPaymentId === paymentId) return nothing("the session already has this payment");
    const otherKept = session.keptPaymentId !== null;
    if (otherKept || DECIDED.includes(session.status)) {
      // The session does not keep this charge: refund it, never reopen the decision.
      const why = otherKept ? "the session already kept another payment" : `the session was already ${session.status}`;
      if (status !== "captured") {
        if (session.canVoid)
          return made({ session: null, effects: ["release-attempt"], shopper: UNCHANGED }, `an authorization the session does not keep (${why}); releasing it`);
        return nothing(`an authorization the session does not keep (${why}); it is left to lapse`);
      }
      return made({ session: null, effects: ["refund-attempt"], shopper: UNCHANGED }, `a capture the session does not keep (${why}); refunding it`);
    }
    if (session.method === "credit_card" && threeDs && !session.moto) {
      return made({ session: { status: "confirming" }, effects: ["card-confirm", "erase-card"], shopper: { kind: "confirming" } }, "3-D Secure passed");
    }
    return made({ session: { status: "resolving" }, effects: ["finalize", "erase-card"], shopper: { kind: "resolving" } });
  }

  if (status === "authorized") {
    // A sale whose capture did not happen (a crash, a lost answer): the shopper agreed to pay,
    // so the sale is finished by capturing it; the capture's result comes back through here.
    if (session.canCapture && paymentId && attempt.latest && OPEN.includes(session.status)) {
      return made({ session: null, effects: ["capture-attempt"], shopper: UNCHANGED }, "only authorized: capturing the sale now");
    }
    // Not the session's to keep (an older attempt, a decided session): released where the gateway can.
    if (session.canVoid && paymentId && (!attempt.latest || !OPEN.includes(session.status))) {
      return made({ session: null, effects: ["release-attempt"], shopper: UNCHANGED }, "an authorization the session does not keep; releasing it");
    }
    // A sale the gateway only authorized and cannot capture: not money we can promise.
    if (attempt.latest && OPEN.includes(session.status) && session.status !== "pending") {
      return made(
        { session: { status: "pending", pending: true }, effects: ["finalize"], shopper: { kind: "pending" } },
        `only authorized: a sale ${session.gatewayName} cannot capture`,
      );
    }
    return nothing();
  }

  if (!attempt.latest) return nothing("not the latest attempt: the session does not move");

  if (status === "action_required") {
    if (session.status !== "processing") return nothing();
    if (session.method === "credit_card" && session.moto) {
      return made(
        reject("PROCESSING_ERROR", `${session.gatewayName} asked for 3-D Secure on a MOTO payment, which has no shopper to authenticate.`, ["erase-card"]),
        "3-D Secure on a MOTO payment",
      );
    }
    const effects: Effect[] = session.method === "credit_card" ? ["card-redirect", "erase-card"] : [];
    const challenge = fact.kind === "payment" ? fact.threeDs : null;
    return made({ session: { status: "three_ds" }, effects, shopper: challenge ? { kind: "three-ds", challenge } : UNCHANGED });
  }

  if (status === "unknown") {
    if (session.status !== "processing") return nothing();
    // We cannot tell whether the card was charged: never reject, never charge again.
    if (session.method === "credit_card") return nothing("the charge job asks again with the same Idempotency-Key");
    return made({ session: { status: "pending", pending: true }, effects: ["finalize"], shopper: { kind: "pending" } });
  }

  if (status !== "failed") return nothing();

  // The latest attempt failed.
  if (!OPEN.includes(session.status) || session.status === "awaiting_card") return nothing();
  const errorName = update?.errorName ?? null;
  const what =
    fact.kind === "payment"
      ? `${session.gatewayName} reports the payment failed (${errorName ?? "failed"})${fact.errorMessage ? `: ${fact.errorMessage}` : ""}`
      : describeFailure(fact, session.gatewayName);
  if (fact.kind === "refused" || fact.kind === "cannot-charge") {
    const message = fact.kind === "refused" ? merchantMessageForRefusal(fact, session.gatewayName) : `${fact.message}.`;
    return made(reject("PROCESSING_ERROR", message, ["erase-card"]));
  }
  const reason = fact.kind === "not-charged" || fact.kind === "no-payment" ? "PROCESSING_ERROR" : reasonForFailure(session, threeDs, errorName);
  const mayRetry = session.method === "offsite" && session.status !== "pending" && session.attempts < session.maxAttempts && session.shopperHasTime;
  if (mayRetry) {
    const message =
      reason === "AUTHENTICATION_FAILED"
        ? SHOPPER_THREE_DS_FAILED
        : reason === "CARD_DECLINED" || reason === "INSTRUMENT_DECLINED" || reason === "INSUFFICIENT_FUNDS"
          ? session.instrument === "wallet"
            ? SHOPPER_WALLET_DECLINED
            : SHOPPER_DECLINED
          : SHOPPER_TRY_LATER;
    return made({ session: { status: "awaiting_card" }, effects: [], shopper: { kind: "try-again", message } });
  }
  const context =
    session.status === "pending" || !session.shopperHasTime
      ? "after the shopper left"
      : session.method === "credit_card"
        ? "(one attempt per credit-card session)"
        : `on the last of ${session.maxAttempts} card attempts`;
  return made(reject(reason, `${what} ${context}.`, ["erase-card"]));
}

/** A fact about the session as a whole. */
export function decideForSession(session: SessionView, fact: SessionFact): Decision {
  const made = (part: Omit<Decision, "attempt" | "note">, note: string): Decision => ({ attempt: null, ...part, note });
  const nothing = (note: string): Decision => made({ session: null, effects: [], shopper: UNCHANGED }, note);
  const latest = session.latest;

  switch (fact.kind) {
    case "deadline": {
      if (session.status === "awaiting_card") {
        if (!latest) return made(reject("CANCELLED_PAYMENT", "The shopper left the card page without paying."), "The shopper left without paying; rejecting");
        const reason = reasonForFailure(session, latest.threeDs, latest.errorName);
        return made(
          reject(reason, `The shopper left after ${session.attempts} failed card attempt(s) (last: ${latest.errorName ?? "failed"}).`),
          `The shopper left after a failed attempt; rejecting (${reason})`,
        );
      }
      if (session.status === "processing" && session.method === "credit_card" && !latest) {
        // The charge job never got to send the card (the sweeper asks only once the sealed card is gone).
        return made(
          reject("PROCESSING_ERROR", `The card could not be charged before its data expired; nothing was sent to ${session.gatewayName}.`),
          "The card was never charged; rejecting",
        );
      }
      if (session.status === "three_ds" && session.method === "credit_card") {
        // Credit-card sessions cannot be pending at Shopify (paymentSessionPending refuses them).
        return made(
          reject("CANCELLED_PAYMENT", "The shopper did not finish 3-D Secure before the deadline.", ["erase-card"]),
          "3-D Secure not finished by the deadline; rejecting (CANCELLED_PAYMENT)",
        );
      }
      if ((session.status === "three_ds" || session.status === "processing") && session.method === "offsite") {
        return made(
          { session: { status: "pending", pending: true }, effects: ["finalize"], shopper: { kind: "pending" } },
          "The shopper's time is up with the outcome not known yet; Shopify is told it is pending",
        );
      }
      return nothing("Deadline passed");
    }
    case "pending-window-over": {
      if (session.status !== "pending") return nothing("Pending window over");
      if (latest?.status === "action_required") {
        return made(
          reject("CANCELLED_PAYMENT", `The shopper never finished 3-D Secure; ${session.gatewayName} has no outcome at the end of Shopify's pending window.`),
          "3-D Secure never finished; rejecting before Shopify's pending window ends",
        );
      }
      return made(
        reject("PROCESSING_ERROR", `${session.gatewayName} never confirmed an outcome for this payment before Shopify's pending window ended.`),
        `No outcome from ${session.gatewayName}; rejecting before Shopify's pending window ends`,
      );
    }
    case "confirmation": {
      if (session.status !== "confirming")
        return nothing(`Shopify's confirmation (${fact.confirmed ? "confirmed" : "refused"}) arrived with the session ${session.status}`);
      if (fact.confirmed)
        return made({ session: { status: "resolving" }, effects: ["finalize"], shopper: { kind: "resolving" } }, "Shopify confirmed the payment; resolving");
      return made(
        reject("CONFIRMATION_REJECTED", `Shopify refused the confirmation; the payment is refunded at ${session.gatewayName}.`, ["refund-kept"]),
        "Shopify refused the confirmation; rejecting and refunding the payment",
      );
    }
  }
}

/** What the gateway said, in the words the timeline has always used. */
function describeFact(fact: AttemptFact, gatewayName: string): string {
  switch (fact.kind) {
    case "payment":
      return `${gatewayName} reports ${fact.status}${fact.status === "failed" && fact.errorName ? ` (${fact.errorName})` : ""}`;
    case "declined":
    case "refused":
      return `${fact.errorName} (terminal)`;
    case "not-charged":
      return `${fact.errorName} (retryable, nothing charged)`;
    case "unknown":
      return `${fact.errorName} (outcome unknown)`;
    case "no-payment":
      return "the gateway has no payment for this attempt";
    case "cannot-charge":
      return `not sent: ${fact.message}`;
  }
}

function describeFailure(fact: Exclude<AttemptFact, { kind: "payment" }>, gatewayName: string): string {
  switch (fact.kind) {
    case "declined":
      return `${gatewayName} declined it (${fact.errorName}): ${fact.errorMessage}`;
    case "not-charged":
      return `${gatewayName} could not process the payment (${fact.errorName}); nothing was charged`;
    case "no-payment":
      return `${gatewayName} has no payment for this attempt: nothing was charged`;
    case "refused":
      return `${gatewayName} refused the request (${fact.errorName})`;
    case "cannot-charge":
      return fact.message;
    case "unknown":
      return `Outcome unknown (${fact.errorName})`;
  }
}

function merchantMessageForRefusal(fact: Extract<AttemptFact, { kind: "refused" }>, gatewayName: string): string {
  if (fact.merchantKey)
    return `${gatewayName} refused the shop's API key (${fact.gatewayCode ?? fact.errorName}). Update the key on the ${gatewayName} settings page.`;
  return `${gatewayName}: ${fact.gatewayCode ?? fact.errorName}. ${fact.errorMessage}`;
}
