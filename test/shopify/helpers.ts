import { Writable } from "node:stream";
import { createLogger, type Logger } from "~/lib/logger";
import { createPaymentsAppsClient, type PaymentsAppsClient, type PaymentsAppsClientOptions } from "~/shopify/payments-apps";
import type { ShopifySimulator } from "../simulators/shopify";

export const SHOP = "demo-shop.myshopify.com";
export const OTHER_SHOP = "other-shop.myshopify.com";
export const ACCESS_TOKEN = "shpat_test_demo_shop_token";
export const OTHER_ACCESS_TOKEN = "shpat_test_other_shop_token";

/** A pino logger writing into an array, so tests can read what would have been logged. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger(stream, "debug");
  const text = () => chunks.join("");
  const lines = () =>
    text()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}

/** A client for SHOP routed to the simulator, with a token counter the tests can inspect. */
export function simulatorClient(
  simulator: ShopifySimulator,
  overrides: Partial<PaymentsAppsClientOptions> = {},
): { client: PaymentsAppsClient; tokenCalls: Array<{ forceRefresh?: boolean } | undefined>; log: ReturnType<typeof memoryLogger> } {
  const tokenCalls: Array<{ forceRefresh?: boolean } | undefined> = [];
  const log = memoryLogger();
  const client = createPaymentsAppsClient({
    shop: SHOP,
    apiOrigin: simulator.url,
    logger: log.logger,
    timeoutMs: 2_000,
    getAccessToken: async (options) => {
      tokenCalls.push(options);
      return ACCESS_TOKEN;
    },
    ...overrides,
  });
  return { client, tokenCalls, log };
}

export function inOneHour(): string {
  return new Date(Date.now() + 60 * 60 * 1000).toISOString();
}
