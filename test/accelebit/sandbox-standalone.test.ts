/**
 * The sandbox runs on its own (`tsx test/simulators/accelebit/main.ts`) and can be steered
 * from another process through /__sandbox/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardPayment, gatewayFor, TEST_KEY } from "./support";

const main = fileURLToPath(new URL("../simulators/accelebit/main.ts", import.meta.url));
let child: ChildProcess;
let url = "";

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", main], { env: { ...process.env, PORT: "0", HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
  url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}: ${output}`)));
  });
});

afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
});

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
