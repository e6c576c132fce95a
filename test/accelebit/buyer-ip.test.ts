/**
 * Decision "buyer IP": the documents take IPv4 only. A buyer with an IPv4 address always has
 * it sent; a buyer who reached us over IPv6 alone is passed as an explicit null and the field
 * is left out of the request, so the payment is not blocked.
 */
import { describe, expect, it, vi } from "vitest";
import { createAccelebitGateway } from "~/accelebit";
import { captureLogger, cardPayment, TEST_KEY } from "./support";

function recordingGateway() {
  const bodies: Record<string, unknown>[] = [];
  const fetch = vi.fn<typeof globalThis.fetch>(async (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    const data = {
      id: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
      status: "captured",
      amount: "55.00",
      currency: "EUR",
      provider: "everest",
      threeDsRequired: false,
      threeDsData: null,
    };
    return Response.json({ data }, { status: 201 });
  });
  const gateway = createAccelebitGateway({ baseUrl: "https://api.gateway.accelebit.com", logger: captureLogger().logger, fetch });
  return { account: gateway.forKey(TEST_KEY), bodies };
}

describe("billing.ip", () => {
  it("sends the buyer's IPv4 address", async () => {
    const { account, bodies } = recordingGateway();
    const payment = cardPayment();
    expect((await account.createPayment({ ...payment, billing: { ...payment.billing, ip: "203.0.113.9" } }, { idempotencyKey: "ip_1" })).ok).toBe(true);
    expect((bodies[0]!.billing as Record<string, unknown>).ip).toBe("203.0.113.9");
  });

  it("leaves the field out when the caller says the buyer has no IPv4 address (null)", async () => {
    const { account, bodies } = recordingGateway();
    const payment = cardPayment();
    expect((await account.createPayment({ ...payment, billing: { ...payment.billing, ip: null } }, { idempotencyKey: "ip_2" })).ok).toBe(true);
    expect(bodies[0]!.billing).not.toHaveProperty("ip");
  });
});
