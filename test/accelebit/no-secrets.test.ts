/**
 * Invariant 4: no card number, CVV or API key in any log line or error message. Known values
 * are pushed through every error path — local validation, each gateway error, each fault,
 * and a hostile gateway that echoes the request back — then everything logged and every
 * error returned is searched for them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccelebitResult } from "~/accelebit";
import type { AccelebitSandbox, FaultSettings } from "../simulators/accelebit/server";
import { CARDS, cardPayment, closedPortUrl, gatewayFor, startSandbox, type TestGateway } from "./support";

const API_KEY = "smtgw_sk_test_secret_do_not_log_7Qx";
const CVV = "8642";
const ALL_PANS = [...Object.values(CARDS), "4111111111111111"];

let sandbox: AccelebitSandbox;
const gateways: TestGateway[] = [];
const results: AccelebitResult<unknown>[] = [];

function track(gateway: TestGateway): TestGateway {
  gateways.push(gateway);
  return gateway;
}

function payment(number: string, merchantRef: string): ReturnType<typeof cardPayment> {
  const base = cardPayment({ merchantRef, cardNumber: number });
  return { ...base, card: { ...base.card, cvv: CVV } };
}

beforeAll(async () => {
  sandbox = await startSandbox({ revokedKeys: [API_KEY.replace("7Qx", "revoked")] });
});
afterAll(() => sandbox.close());

describe("secrets never reach logs or errors", () => {
  it("local validation errors", async () => {
    const { gateway } = track(gatewayFor(sandbox.url));
    const account = gateway.forKey(API_KEY);
    const bad = payment(CARDS.captured, "s_local");
    results.push(await account.createPayment({ ...bad, card: { ...bad.card, expiryMonth: "13" } }, { idempotencyKey: "l1" }));
    results.push(await account.createPayment({ ...bad, card: { ...bad.card, number: `${CARDS.captured}9999` } }, { idempotencyKey: "l2" }));
    results.push(await account.createPayment({ ...bad, card: { ...bad.card, cvv: `${CVV}1` } }, { idempotencyKey: "l3" }));
    results.push(await account.createPayment(bad, { idempotencyKey: "" }));
    expect(results.slice(-4).every((r) => !r.ok && r.error.name === "INVALID_REQUEST")).toBe(true);
  });

  it.each([
    ["decline (400)", CARDS.declined, {}, "error_400", "CARD_DECLINED"],
    ["decline (201 failed)", CARDS.declined, {}, "created_failed", "CARD_DECLINED"],
    ["provider error", CARDS.providerError, {}, "error_400", "PROVIDER_ERROR"],
    ["5xx", CARDS.captured, { serverErrors: { status: 500 } }, "error_400", "SERVER_ERROR"],
    ["429", CARDS.captured, { rateLimit: { retryAfterSeconds: 60 } }, "error_400", "RATE_LIMITED"],
    ["dropped connection", CARDS.captured, { dropConnection: {} }, "error_400", "NETWORK_ERROR"],
    // Far beyond the 30 ms timeout, so a loaded machine cannot let an answer win the race.
    ["timeout", CARDS.captured, { latency: { ms: 5_000 } }, "error_400", "TIMEOUT"],
  ] as const)("gateway path: %s", async (label, number, faults: FaultSettings, declineStyle, expected) => {
    sandbox.reset();
    sandbox.setFaults(faults);
    sandbox.setBehaviour({ declineStyle });
    const { gateway } = track(gatewayFor(sandbox.url, { timeoutMs: 30 }));
    const result = await gateway.forKey(API_KEY).createPayment(payment(number, `s_${label}`), { idempotencyKey: `k_${label.replace(/\W+/g, "_")}` });
    results.push(result);
    expect(result.ok ? null : result.error.name).toBe(expected);
  });

  it("unauthorized and unreachable", async () => {
    sandbox.reset();
    const revoked = API_KEY.replace("7Qx", "revoked");
    const { gateway } = track(gatewayFor(sandbox.url));
    results.push(await gateway.forKey(revoked).createPayment(payment(CARDS.captured, "s_unauth"), { idempotencyKey: "u1" }));
    const closed = track(gatewayFor(await closedPortUrl()));
    results.push(await closed.gateway.forKey(API_KEY).createPayment(payment(CARDS.captured, "s_closed"), { idempotencyKey: "u2" }));
    const check = await closed.gateway.checkApiKey(API_KEY);
    expect(JSON.stringify(check)).not.toContain(API_KEY);
    expect(results.slice(-2).map((r) => !r.ok && r.error.name)).toEqual(["UNAUTHORIZED", "NETWORK_ERROR"]);
  });

  it("a hostile gateway echoing the request into messages, bodies and exceptions", async () => {
    const echo = (init: RequestInit | undefined) => `${String(init?.body)} key=${(init?.headers as Record<string, string>)["X-API-Key"]}`;
    const replies: ((init: RequestInit | undefined) => Response)[] = [
      (init) =>
        new Response(JSON.stringify({ data: null, error: { status: 400, name: "INVALID_REQUEST", message: `bad request ${echo(init)}` } }), { status: 400 }),
      (init) => new Response(JSON.stringify({ data: { status: "weird", echo: echo(init) } }), { status: 201 }),
      (init) =>
        new Response(JSON.stringify({ data: { id: "p1", status: "failed", error: { name: "CARD_DECLINED", message: `declined ${echo(init)}` } } }), {
          status: 201,
        }),
      (init) => new Response(JSON.stringify({ data: { id: "p2", status: "captured", echo: echo(init), error: { message: echo(init) } } }), { status: 201 }),
      (init) => new Response(`<html>${echo(init)}</html>`, { status: 500 }),
      (init) =>
        new Response(JSON.stringify({ data: null, error: { status: 401, name: "UNAUTHORIZED", message: `unknown key ${echo(init)}` } }), { status: 401 }),
    ];
    for (const reply of replies) {
      const { gateway } = track(
        gatewayFor("https://api.gateway.accelebit.com", {
          retry: { maxAttempts: 1 },
          fetch: async (_url, init) => reply(init),
        }),
      );
      results.push(await gateway.forKey(API_KEY).createPayment(payment(CARDS.captured, "s_hostile"), { idempotencyKey: "h" }));
    }
    const { gateway } = track(
      gatewayFor("https://api.gateway.accelebit.com", {
        retry: { maxAttempts: 1 },
        fetch: async (_url, init) => {
          throw new Error(`socket closed while sending ${echo(init)}`);
        },
      }),
    );
    results.push(await gateway.forKey(API_KEY).createPayment(payment(CARDS.captured, "s_throw"), { idempotencyKey: "t" }));
    expect(results.slice(-7).map((r) => r.ok)).toEqual([false, false, false, true, false, false, false]);
  });

  it("nothing logged and no error carries a PAN, the CVV or the API key", () => {
    const logged = gateways.map((g) => g.log.text()).join("\n");
    const errors = JSON.stringify(results);
    expect(logged.length).toBeGreaterThan(1000);
    expect(results.length).toBe(20);
    for (const haystack of [logged, errors]) {
      for (const pan of ALL_PANS) expect(haystack).not.toContain(pan);
      expect(haystack).not.toMatch(new RegExp(`(?<!\\d)${CVV}(?!\\d)`));
      expect(haystack).not.toContain(API_KEY);
      expect(haystack).not.toContain("smtgw_sk_");
    }
  });
});
