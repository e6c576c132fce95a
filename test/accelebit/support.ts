/** Shared pieces of the Accelebit tests: a capturing logger, a sandbox, a gateway wired to it. */
import { createAccelebitGateway, type AccelebitGatewayOptions, type CreatePaymentInput } from "~/accelebit";
import { createLogger, type Logger } from "~/lib/logger";
import { startAccelebitSandbox, type AccelebitSandbox, type AccelebitSandboxOptions } from "../simulators/accelebit/server";

export const TEST_KEY = "smtgw_sk_test_merchant_one";
export const OTHER_TEST_KEY = "smtgw_sk_test_merchant_two";
export const LIVE_KEY = "smtgw_sk_live_merchant_one";

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line written so far, raw JSON text. */
  text(): string;
  entries(): Record<string, unknown>[];
}

export function captureLogger(): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger({ write: (line: string) => void lines.push(line) }, "debug");
  return {
    logger,
    text: () => lines.join(""),
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function startSandbox(options: AccelebitSandboxOptions = {}): Promise<AccelebitSandbox> {
  return startAccelebitSandbox({ webhookRetry: { maxAttempts: 4, baseDelayMs: 1 }, sleep: async () => {}, ...options });
}

export interface TestGateway {
  readonly gateway: ReturnType<typeof createAccelebitGateway>;
  readonly log: CapturedLog;
  /** Every wait the client asked for, in ms; the test never really waits. */
  readonly sleeps: number[];
}

export function gatewayFor(baseUrl: string, options: Partial<AccelebitGatewayOptions> = {}): TestGateway {
  const log = captureLogger();
  const sleeps: number[] = [];
  const gateway = createAccelebitGateway({
    baseUrl,
    logger: log.logger,
    timeoutMs: 2_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { gateway, log, sleeps };
}

export const CARDS = {
  captured: "4242424242424242",
  declined: "4000000000000002",
  threeDsGet: "4000000000003220",
  threeDsPost: "4000000000003063",
  providerError: "4000000000000119",
  providerErrorOnce: "4000000000000259",
  authorized: "4000000000000077",
} as const;

type CardPayment = Extract<CreatePaymentInput, { paymentMethod: "card" }>;

export function cardPayment(overrides: Partial<CardPayment> & { cardNumber?: string } = {}): CardPayment {
  const { cardNumber, ...rest } = overrides;
  return {
    amount: "55.00",
    currency: "EUR",
    paymentMethod: "card",
    customerId: "user_12345",
    card: { number: cardNumber ?? CARDS.captured, expiryMonth: "12", expiryYear: "28", cvv: "123", holderName: "Jane Doe" },
    billing: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@example.com",
      phone: "+35699123456",
      country: "MT",
      address: "123 Main Street",
      city: "Valletta",
      postalCode: "VLT 1000",
      ip: "203.0.113.7",
    },
    returnUrl: "https://shop.example/payments/return/opaque-ref",
    merchantRef: "session_1",
    ...rest,
  };
}

/** A URL on which nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
