/**
 * The client secret and webhook secrets never reach a log line or an error message: known
 * values are pushed through every path (success, each fault, a hostile gateway that echoes them
 * back), then everything logged and returned is searched for them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccrueClient, createRateBudget, type AccrueResult } from "~/accrue";
import type { AccrueSandbox, FaultSettings } from "../simulators/accrue/server";
import { captureLogger, clientFor, MAGIC_PHONES, shopperIntent, startSandbox } from "./support";

const SECRET = "9f".repeat(32);
const CLIENT_ID = "5b0c7d0e-3f7a-4c1e-9a55-acc0e00000ff";

let sandbox: AccrueSandbox;
const texts: string[] = [];
const results: AccrueResult<unknown>[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ merchants: [{ clientId: CLIENT_ID, clientSecret: SECRET }] });
});
afterAll(() => sandbox.close());

describe("secrets never reach logs or errors", () => {
  it.each<[string, FaultSettings]>([
    ["success", {}],
    ["5xx", { serverError: { count: 1 } }],
    ["401", { unauthorized: { count: 1 } }],
    ["429", { rateLimit: { retryAfterSeconds: 120 } }],
    ["drop", { dropConnection: { count: 1, afterEffect: true } }],
    ["hang", { hang: { count: 1 } }],
  ])("%s", async (_label, faults) => {
    sandbox.setFaults(faults);
    const { client, log } = clientFor(sandbox.url, { clientId: CLIENT_ID, clientSecret: SECRET }, { timeouts: { getMs: 200, writeMs: 200 } });
    const intentId = shopperIntent(sandbox, { clientId: CLIENT_ID, clientSecret: SECRET }, MAGIC_PHONES.approved);
    results.push(await client.authorizePaymentIntent(intentId, 1999));
    const created = await client.createWebhook({ name: "n", url: "https://app.example/h", topics: ["*"] });
    results.push(created);
    if (created.ok) {
      expect(created.value.secret).toMatch(/^[0-9a-f]{64}$/);
      texts.push(created.value.secret);
    }
    texts.push(log.text());
    sandbox.clearFaults();
  });

  it("a hostile gateway echoing the secret and the Authorization header back", async () => {
    const log = captureLogger();
    const echo = (async (_url: string, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      const detail = `bad ${headers.get("authorization")} for ${SECRET}`;
      return new Response(JSON.stringify({ errors: [{ status: "400", code: "invalid", detail }] }), { status: 400 });
    }) as typeof fetch;
    const client = createAccrueClient({
      baseUrl: "https://accrue.invalid",
      environment: "sandbox",
      fetch: echo,
      logger: log.logger,
      budget: createRateBudget({ perMinute: 600_000 }),
    }).forMerchant({ clientId: CLIENT_ID, clientSecret: SECRET });
    const result = await client.capturePayment("11111111-1111-4111-8111-111111111111", 100);
    expect(result).toMatchObject({ ok: false, error: { code: "REJECTED", message: "bad Bearer [redacted] for [redacted]" } });
    results.push(result);
    texts.push(log.text());
  });

  it("nothing collected contains the client secret; webhook secrets appear only as the created value", () => {
    const webhookSecrets = texts.filter((text) => /^[0-9a-f]{64}$/.test(text));
    const everything = [
      ...texts.filter((text) => !webhookSecrets.includes(text)),
      ...results.map((result) => JSON.stringify(result.ok ? null : result.error)),
    ].join("\n");
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(SECRET);
    for (const secret of webhookSecrets) expect(everything).not.toContain(secret);
    expect(JSON.stringify(sandbox.requests())).not.toContain(SECRET);
  });
});
