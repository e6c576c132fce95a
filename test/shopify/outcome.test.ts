import { describe, expect, it } from "vitest";
import { createPaymentsAppsClient, type FinalizedSessionResult, type PaymentSessionResult } from "~/shopify/payments-apps";
import { MUTATIONS } from "~/shopify/payments-apps/mutation-specs";
import { outcomeFromPayload } from "~/shopify/payments-apps/payload-outcome";
import { memoryLogger, SHOP } from "./helpers";

const GID = "gid://shopify/RefundSession/r1";
const refund = (state: "RESOLVED" | "REJECTED"): FinalizedSessionResult => ({ id: GID, state, rejectedReason: null, merchantMessage: null });
const payment = (state: PaymentSessionResult["state"]): PaymentSessionResult => ({
  id: "gid://shopify/PaymentSession/p1",
  state,
  pendingReason: null,
  rejectedReason: null,
  merchantMessage: null,
  nextActionRedirectUrl: null,
  authorizationExpiresAt: null,
  pendingExpiresAt: null,
});
const userError = (code: string | null) => ({ field: ["id"], message: "m", code });

describe("reading userErrors (outcomeFromPayload)", () => {
  it("reject + *_INVALID_STATE without a session: conflict with unknown state (resolved, or rejected differently)", () => {
    expect(outcomeFromPayload(MUTATIONS.refundSessionReject, { entity: null, userErrors: [userError("REFUND_SESSION_INVALID_STATE")] })).toEqual({
      kind: "conflict",
      currentState: null,
      userErrors: [userError("REFUND_SESSION_INVALID_STATE")],
    });
  });

  it("reject + *_INVALID_STATE with the session already rejected: done (already in the requested state)", () => {
    expect(outcomeFromPayload(MUTATIONS.refundSessionReject, { entity: refund("REJECTED"), userErrors: [userError("REFUND_SESSION_INVALID_STATE")] })).toEqual({
      kind: "done",
      result: refund("REJECTED"),
    });
  });

  it("resolve + *_INVALID_STATE means the session was rejected", () => {
    expect(outcomeFromPayload(MUTATIONS.captureSessionResolve, { entity: null, userErrors: [userError("CAPTURE_SESSION_INVALID_STATE")] })).toMatchObject({
      kind: "conflict",
      currentState: "REJECTED",
    });
  });

  it("a code-less UserError on paymentSessionResolve without a session stays user-errors", () => {
    expect(outcomeFromPayload(MUTATIONS.paymentSessionResolve, { entity: null, userErrors: [userError(null)] })).toEqual({
      kind: "user-errors",
      userErrors: [userError(null)],
    });
  });

  it("a session shown in the opposite final state is a conflict even without userErrors", () => {
    expect(outcomeFromPayload(MUTATIONS.paymentSessionResolve, { entity: payment("REJECTED"), userErrors: [] })).toEqual({
      kind: "conflict",
      currentState: "REJECTED",
      userErrors: [],
    });
  });

  it("3DS steps: INVALID_STATE_TRANSITION is a conflict, BUYER_ALREADY_REDIRECTED_BY_SHOPIFY is input for the caller", () => {
    expect(outcomeFromPayload(MUTATIONS.paymentSessionRedirect, { entity: null, userErrors: [userError("INVALID_STATE_TRANSITION")] })).toMatchObject({
      kind: "conflict",
    });
    expect(
      outcomeFromPayload(MUTATIONS.paymentSessionRedirect, { entity: null, userErrors: [userError("BUYER_ALREADY_REDIRECTED_BY_SHOPIFY")] }),
    ).toMatchObject({ kind: "user-errors" });
    expect(outcomeFromPayload(MUTATIONS.paymentSessionConfirm, { entity: null, userErrors: [userError("CONFIRMATION_NOT_SUPPORTED")] })).toMatchObject({
      kind: "user-errors",
    });
  });

  it("neither result nor userErrors is a terminal UNEXPECTED_PAYLOAD", () => {
    expect(outcomeFromPayload(MUTATIONS.voidSessionResolve, { entity: null, userErrors: [] })).toMatchObject({
      kind: "failed",
      category: "terminal",
      code: "UNEXPECTED_PAYLOAD",
    });
  });
});

/** A client whose fetch answers with a canned response, to reach answers the simulator does not produce. */
function clientAnswering(status: number, body: string, headers: Record<string, string> = { "content-type": "application/json" }) {
  return createPaymentsAppsClient({
    shop: SHOP,
    getAccessToken: async () => "token",
    logger: memoryLogger().logger,
    fetch: async () => new Response(body, { status, headers }),
  });
}

const graphQLErrors = (...codes: string[]) => JSON.stringify({ errors: codes.map((code) => ({ message: `error ${code}`, extensions: { code } })) });

describe("categorising failures", () => {
  it.each([
    ["SHOP_INACTIVE", "terminal"],
    ["ACCESS_DENIED", "terminal"],
    ["MAX_COST_EXCEEDED", "terminal"],
    ["INTERNAL_SERVER_ERROR", "retryable"],
    ["THROTTLED", "retryable"],
  ])("errors[] code %s is %s", async (code, category) => {
    const outcome = await clientAnswering(200, graphQLErrors(code)).paymentSessionResolve({ id: "gid://shopify/PaymentSession/p1" });
    expect(outcome).toEqual({ kind: "failed", category, code, message: `GraphQL error ${code}: error ${code}`, httpStatus: 200, retryAfterMs: null });
  });

  it("an undocumented errors[] entry (e.g. a validation error) is a terminal GRAPHQL_ERROR", async () => {
    const body = JSON.stringify({ errors: [{ message: 'Field "x" doesn\'t exist' }] });
    expect(await clientAnswering(200, body).paymentsAppConfigure({ ready: true })).toMatchObject({
      kind: "failed",
      category: "terminal",
      code: "GRAPHQL_ERROR",
    });
  });

  it("a terminal error among retryable ones wins", async () => {
    expect(await clientAnswering(200, graphQLErrors("THROTTLED", "ACCESS_DENIED")).paymentsAppConfigure({ ready: true })).toMatchObject({
      category: "terminal",
      code: "ACCESS_DENIED",
    });
  });

  it.each([400, 402, 403, 404, 423])("HTTP %i is terminal", async (status) => {
    expect(await clientAnswering(status, '{"errors":"x"}').paymentsAppConfigure({ ready: true })).toEqual({
      kind: "failed",
      category: "terminal",
      code: "HTTP_ERROR",
      message: `HTTP ${status} from the Payments Apps API`,
      httpStatus: status,
      retryAfterMs: null,
    });
  });

  it.each([429, 500, 503, 504])("HTTP %i is retryable and honours Retry-After", async (status) => {
    const client = clientAnswering(status, "busy", { "content-type": "text/plain", "retry-after": "2" });
    expect(await client.paymentsAppConfigure({ ready: true })).toMatchObject({ category: "retryable", httpStatus: status, retryAfterMs: 2000 });
  });

  it("a 2xx HTML page instead of JSON is a retryable INVALID_RESPONSE", async () => {
    const client = clientAnswering(200, "<html>proxy</html>", { "content-type": "text/html" });
    expect(await client.paymentsAppConfigure({ ready: true })).toMatchObject({ category: "retryable", code: "INVALID_RESPONSE" });
  });

  it("JSON that does not match the document is a terminal UNEXPECTED_PAYLOAD", async () => {
    const client = clientAnswering(200, JSON.stringify({ data: { paymentsAppConfigure: { unexpected: true } } }));
    expect(await client.paymentsAppConfigure({ ready: true })).toMatchObject({ category: "terminal", code: "UNEXPECTED_PAYLOAD" });
  });
});
