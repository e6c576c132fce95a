import { describe, expect, it } from "vitest";
import { decideForAttempt, decideForSession, type AttemptFact, type AttemptView, type SessionView } from "~/payments/next-state";

/** The decision table of app/payments/next-state.ts, without a database (docs/decisions/0002-one-decision-function.md). */

const session = (over: Partial<SessionView> = {}): SessionView => ({
  status: "processing",
  instrument: "card",
  kind: "sale",
  method: "offsite",
  moto: false,
  attempts: 1,
  maxAttempts: 3,
  shopperHasTime: true,
  gatewayName: "Accelebit",
  canCapture: false,
  canVoid: false,
  keptPaymentId: null,
  latest: { status: "submitted", threeDs: false, errorName: null },
  ...over,
});
const attempt = (over: Partial<AttemptView> = {}): AttemptView => ({
  id: "a1",
  number: 1,
  status: "submitted",
  threeDs: false,
  paymentId: null,
  latest: true,
  ...over,
});
const payment = (
  status: "captured" | "authorized" | "action_required" | "failed",
  over: Partial<Extract<AttemptFact, { kind: "payment" }>> = {},
): AttemptFact => ({
  kind: "payment",
  paymentId: "pay_1",
  status,
  amount: "49.99",
  provider: "everest",
  errorName: status === "failed" ? "DECLINED" : null,
  errorMessage: null,
  threeDs: status === "action_required" ? { redirectUrl: "https://bank.example/3ds", method: "GET" } : null,
  ...over,
});

describe("a captured payment", () => {
  it("resolves an open offsite session and erases nothing it needs", () => {
    const decision = decideForAttempt(session(), attempt(), payment("captured"));
    expect(decision.session).toEqual({ status: "resolving" });
    expect(decision.effects).toEqual(["finalize", "erase-card"]);
    expect(decision.attempt).toEqual({ status: "captured", paymentId: "pay_1" });
    expect(decision.shopper).toEqual({ kind: "resolving" });
  });

  it("resolves a pending session (the outcome was unknown), even from an attempt that is not the latest", () => {
    expect(decideForAttempt(session({ status: "pending" }), attempt(), payment("captured")).session).toEqual({ status: "resolving" });
    expect(decideForAttempt(session({ status: "awaiting_card", attempts: 2 }), attempt({ latest: false }), payment("captured")).session).toEqual({
      status: "resolving",
    });
  });

  it("after 3-D Secure on a credit card, asks Shopify to confirm instead of resolving", () => {
    const decision = decideForAttempt(
      session({ method: "credit_card", status: "three_ds" }),
      attempt({ status: "action_required", threeDs: true }),
      payment("captured"),
    );
    expect(decision.session).toEqual({ status: "confirming" });
    expect(decision.effects).toEqual(["card-confirm", "erase-card"]);
  });

  it("is refunded when the session keeps another payment, or was already decided — never reopened", () => {
    for (const view of [session({ status: "resolved", keptPaymentId: "pay_other" }), session({ status: "rejecting" }), session({ status: "rejected" })]) {
      const decision = decideForAttempt(view, attempt({ latest: false }), payment("captured"));
      expect(decision.session).toBeNull();
      expect(decision.effects).toEqual(["refund-attempt"]);
    }
  });

  it("changes nothing when it is the payment the session already kept", () => {
    const decision = decideForAttempt(
      session({ status: "resolved", keptPaymentId: "pay_1" }),
      attempt({ status: "captured", paymentId: "pay_1" }),
      payment("captured"),
    );
    expect(decision).toMatchObject({ session: null, effects: [], attempt: null });
  });
});

describe("authorizations", () => {
  it("resolve an authorization session, and a credit-card sale (cards cannot be pending)", () => {
    expect(decideForAttempt(session({ kind: "authorization" }), attempt(), payment("authorized")).session).toEqual({ status: "resolving" });
    expect(decideForAttempt(session({ method: "credit_card" }), attempt(), payment("authorized")).session).toEqual({ status: "resolving" });
  });

  it("make an offsite sale pending (no capture endpoint), and are left to lapse when the session does not keep them", () => {
    expect(decideForAttempt(session(), attempt(), payment("authorized")).session).toEqual({ status: "pending", pending: true });
    expect(decideForAttempt(session({ status: "rejected" }), attempt({ latest: false }), payment("authorized", { paymentId: "p2" })).effects).toEqual([]);
  });

  describe("on a gateway that captures and releases later (Accrue)", () => {
    const wallet = (over: Partial<SessionView> = {}) => session({ instrument: "wallet", gatewayName: "Accrue", canCapture: true, canVoid: true, ...over });

    it.each(["processing", "pending", "awaiting_card"] as const)("a sale found only authorized while the session is %s is captured, not given up", (status) => {
      const decision = decideForAttempt(wallet({ status }), attempt({ status: "unknown" }), payment("authorized"));
      expect(decision).toMatchObject({ session: null, effects: ["capture-attempt"], attempt: { status: "authorized", paymentId: "pay_1" } });
      expect(decision.note).toContain("capturing the sale now");
    });

    it("a decided session's authorization, or an older attempt's, is released", () => {
      for (const [view, which] of [
        [wallet({ status: "rejected" }), attempt()],
        [wallet({ status: "rejecting" }), attempt()],
        [wallet(), attempt({ latest: false })],
      ] as const) {
        expect(decideForAttempt(view, which, payment("authorized")).effects).toEqual(["release-attempt"]);
      }
    });

    it("an authorization the session does not keep (another payment kept) is released; the kept one is untouched", () => {
      const view = wallet({ kind: "authorization", status: "resolved", keptPaymentId: "pay_kept" });
      expect(decideForAttempt(view, attempt({ latest: false }), payment("authorized", { paymentId: "pay_other" })).effects).toEqual(["release-attempt"]);
      expect(
        decideForAttempt(view, attempt({ status: "authorized", paymentId: "pay_kept" }), payment("authorized", { paymentId: "pay_kept" })).effects,
      ).toEqual([]);
    });

    it("its capture then resolves the sale like any captured payment", () => {
      const decision = decideForAttempt(wallet({ status: "pending" }), attempt({ status: "authorized", paymentId: "pay_1" }), payment("captured"));
      expect(decision.session).toEqual({ status: "resolving" });
    });
  });
});

describe("3-D Secure", () => {
  it("sends the shopper to their bank; a credit card is redirected by Shopify", () => {
    const offsite = decideForAttempt(session(), attempt(), payment("action_required"));
    expect(offsite.session).toEqual({ status: "three_ds" });
    expect(offsite.attempt).toMatchObject({ status: "action_required", threeDs: true });
    expect(offsite.shopper).toEqual({ kind: "three-ds", challenge: { redirectUrl: "https://bank.example/3ds", method: "GET" } });
    expect(decideForAttempt(session({ method: "credit_card" }), attempt(), payment("action_required")).effects).toEqual(["card-redirect", "erase-card"]);
  });

  it("is refused on a MOTO payment (no shopper to authenticate)", () => {
    expect(decideForAttempt(session({ method: "credit_card", moto: true }), attempt(), payment("action_required")).session).toMatchObject({
      status: "rejecting",
      rejectReason: "PROCESSING_ERROR",
    });
  });

  it("failed: the shopper may try again while they have time and attempts, else AUTHENTICATION_FAILED", () => {
    const after3ds = attempt({ status: "action_required", threeDs: true });
    const retry = decideForAttempt(session({ status: "three_ds" }), after3ds, payment("failed"));
    expect(retry.session).toEqual({ status: "awaiting_card" });
    expect(retry.shopper).toEqual({ kind: "try-again", message: "Your bank could not confirm this payment. Try again or use another card." });
    expect(decideForAttempt(session({ status: "three_ds", attempts: 3 }), after3ds, payment("failed")).session).toMatchObject({
      rejectReason: "AUTHENTICATION_FAILED",
    });
    expect(decideForAttempt(session({ status: "pending" }), after3ds, payment("failed")).session).toMatchObject({ rejectReason: "AUTHENTICATION_FAILED" });
  });
});

describe("declines and failures", () => {
  it("a decline lets the shopper try another card; on the last attempt, or without time left, it rejects CARD_DECLINED", () => {
    expect(decideForAttempt(session(), attempt(), { kind: "declined", errorName: "DECLINED", errorMessage: "no" }).session).toEqual({
      status: "awaiting_card",
    });
    expect(decideForAttempt(session({ attempts: 3 }), attempt({ number: 3 }), payment("failed")).session).toMatchObject({
      status: "rejecting",
      rejectReason: "CARD_DECLINED",
    });
    expect(decideForAttempt(session({ shopperHasTime: false }), attempt(), payment("failed")).session).toMatchObject({
      status: "rejecting",
      rejectReason: "CARD_DECLINED",
    });
  });

  it("a credit card gets one attempt", () => {
    expect(decideForAttempt(session({ method: "credit_card", maxAttempts: 1 }), attempt(), payment("failed")).session).toMatchObject({
      rejectReason: "CARD_DECLINED",
    });
  });

  it("news about an earlier attempt never moves the session", () => {
    for (const status of ["three_ds", "awaiting_card", "processing"] as const) {
      const decision = decideForAttempt(session({ status, attempts: 2 }), attempt({ latest: false, status: "failed" }), payment("failed"));
      expect(decision.session).toBeNull();
    }
  });

  it("a refused key or request rejects PROCESSING_ERROR with a message for the merchant", () => {
    const decision = decideForAttempt(session(), attempt(), {
      kind: "refused",
      errorName: "UNAUTHORIZED",
      gatewayCode: "UNAUTHORIZED",
      errorMessage: "bad key",
      merchantKey: true,
    });
    expect(decision.session).toMatchObject({ status: "rejecting", rejectReason: "PROCESSING_ERROR" });
    expect(decision.session?.merchantMessage).toContain("Update the key on the Accelebit settings page");
  });

  it("nothing charged after Accelebit's errors: try again (offsite) or PROCESSING_ERROR", () => {
    const fact: AttemptFact = { kind: "not-charged", errorName: "PROVIDER_ERROR", errorMessage: "upstream" };
    expect(decideForAttempt(session(), attempt(), fact).shopper).toEqual({
      kind: "try-again",
      message: "The payment could not be processed right now. Please try again.",
    });
    expect(decideForAttempt(session({ status: "pending" }), attempt({ status: "unknown" }), { kind: "no-payment" }).session).toMatchObject({
      rejectReason: "PROCESSING_ERROR",
    });
  });
});

describe("unknown outcomes", () => {
  it("make an offsite session pending and leave a credit card processing (the job asks again); never a reject", () => {
    const fact: AttemptFact = { kind: "unknown", errorName: "NETWORK_ERROR", errorMessage: "lost" };
    expect(decideForAttempt(session(), attempt(), fact).session).toEqual({ status: "pending", pending: true });
    const card = decideForAttempt(session({ method: "credit_card" }), attempt(), fact);
    expect(card.session).toBeNull();
    expect(card.attempt).toMatchObject({ status: "unknown" });
  });

  it("an attempt's status never goes back: a stale read cannot undo a newer one", () => {
    expect(
      decideForAttempt(
        session({ status: "resolving", keptPaymentId: "pay_1" }),
        attempt({ status: "captured", paymentId: "pay_1" }),
        payment("action_required"),
      ).attempt,
    ).toBeNull();
    expect(
      decideForAttempt(session({ status: "three_ds" }), attempt({ status: "action_required", threeDs: true, paymentId: "pay_1" }), {
        kind: "unknown",
        errorName: "X",
        errorMessage: "",
      }).attempt,
    ).toBeNull();
  });
});

describe("the session's own facts", () => {
  it("deadline: a session without a card is cancelled; after a failed attempt the reason is the failure's", () => {
    expect(decideForSession(session({ status: "awaiting_card", attempts: 0, latest: null }), { kind: "deadline" }).session).toMatchObject({
      rejectReason: "CANCELLED_PAYMENT",
    });
    expect(
      decideForSession(session({ status: "awaiting_card", latest: { status: "failed", threeDs: false, errorName: "DECLINED" } }), { kind: "deadline" }).session,
    ).toMatchObject({ rejectReason: "CARD_DECLINED" });
    expect(
      decideForSession(session({ status: "awaiting_card", latest: { status: "failed", threeDs: true, errorName: "DECLINED" } }), { kind: "deadline" }).session,
    ).toMatchObject({ rejectReason: "AUTHENTICATION_FAILED" });
  });

  it("deadline: an open offsite charge or 3-D Secure becomes pending; a credit card's unfinished 3-D Secure is cancelled", () => {
    expect(decideForSession(session({ status: "three_ds" }), { kind: "deadline" }).session).toEqual({ status: "pending", pending: true });
    expect(decideForSession(session({ status: "processing" }), { kind: "deadline" }).session).toEqual({ status: "pending", pending: true });
    expect(decideForSession(session({ status: "three_ds", method: "credit_card" }), { kind: "deadline" }).session).toMatchObject({
      rejectReason: "CANCELLED_PAYMENT",
    });
    expect(decideForSession(session({ status: "pending" }), { kind: "deadline" }).session).toBeNull();
  });

  it("the end of the pending window rejects: CANCELLED_PAYMENT for an unfinished challenge, PROCESSING_ERROR otherwise", () => {
    expect(
      decideForSession(session({ status: "pending", latest: { status: "action_required", threeDs: true, errorName: null } }), { kind: "pending-window-over" })
        .session,
    ).toMatchObject({ rejectReason: "CANCELLED_PAYMENT" });
    expect(
      decideForSession(session({ status: "pending", latest: { status: "unknown", threeDs: false, errorName: null } }), { kind: "pending-window-over" }).session,
    ).toMatchObject({ rejectReason: "PROCESSING_ERROR" });
  });

  it("Shopify's confirmation resolves, or rejects CONFIRMATION_REJECTED and refunds the kept payment; only while confirming", () => {
    const confirming = session({ status: "confirming", method: "credit_card", keptPaymentId: "pay_1" });
    expect(decideForSession(confirming, { kind: "confirmation", confirmed: true }).session).toEqual({ status: "resolving" });
    const refused = decideForSession(confirming, { kind: "confirmation", confirmed: false });
    expect(refused.session).toMatchObject({ status: "rejecting", rejectReason: "CONFIRMATION_REJECTED" });
    expect(refused.effects).toEqual(["finalize", "refund-kept"]);
    expect(decideForSession(session({ status: "resolved" }), { kind: "confirmation", confirmed: false }).session).toBeNull();
  });
});
