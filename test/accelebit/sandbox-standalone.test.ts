/**
 * The sandbox runs on its own (`tsx test/simulators/accelebit/main.ts`) and can be steered
 * from another process through /__sandbox/.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandalone, type Standalone } from "../simulators/shared/standalone";
import { cardPayment, gatewayFor, TEST_KEY } from "./support";

const main = fileURLToPath(new URL("../simulators/accelebit/main.ts", import.meta.url));
let standalone: Standalone;
let url = "";

beforeAll(async () => {
  standalone = await startStandalone(main);
  url = standalone.url;
});

afterAll(() => standalone.stop());

describe("standalone sandbox", () => {
  it("serves the API and is steered over HTTP", async () => {
    expect(await (await fetch(`${url}/__sandbox/health`)).json()).toEqual({ data: { ok: true } });
    const faults = await fetch(`${url}/__sandbox/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ serverErrors: { count: 1, afterRecording: true, match: "POST /v1/payments" } }),
    });
    expect(faults.status).toBe(200);

    const { gateway, sleeps } = gatewayFor(url);
    const result = await gateway.forKey(TEST_KEY).createPayment(cardPayment(), { idempotencyKey: "standalone_1" });
    expect(result).toMatchObject({ ok: true, value: { status: "captured" } });
    expect(sleeps).toHaveLength(1);
    const stats = await (await fetch(`${url}/__sandbox/stats`, { headers: { "X-API-Key": TEST_KEY } })).json();
    expect(stats).toMatchObject({ data: { payments: 1, byStatus: { captured: 1 } } });
  });
});
