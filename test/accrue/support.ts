/** Shared pieces of the Accrue tests: a sandbox with one merchant, a client wired to it on a virtual clock. */
import { createAccrueClient, createRateBudget, type AccrueClientOptions, type AccrueCredentials, type AccrueMerchantClient } from "~/accrue";
import { createLogger, type Logger } from "~/lib/logger";
import { startAccrueSandbox, type AccrueSandbox, type AccrueSandboxOptions } from "../simulators/accrue/server";

export { MAGIC_PHONES } from "../simulators/accrue/server";

export interface CapturedLog {
  readonly logger: Logger;
  text(): string;
  entries(): Record<string, unknown>[];
}

export function captureLogger(): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger({ write: (line: string) => void lines.push(line) }, "debug");
  return { logger, text: () => lines.join(""), entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export function startSandbox(options: AccrueSandboxOptions = {}): Promise<AccrueSandbox> {
  return startAccrueSandbox({ webhookRetry: { maxAttempts: 4, baseDelayMs: 1 }, sleep: async () => {}, ...options });
}

export interface TestClient {
  readonly client: AccrueMerchantClient;
  readonly log: CapturedLog;
  /** Every wait the client (or its rate budget) asked for, in ms: nothing really waits. */
  readonly sleeps: number[];
  /** The virtual clock the client and its budget run on. */
  now(): number;
}

export interface VirtualClock {
  now(): number;
  advance(ms: number): void;
}

/** A clock that moves only when told; share it with a sandbox (`now`) so both see the client's waits. */
export function virtualClock(start = Date.now()): VirtualClock {
  let at = start;
  return { now: () => at, advance: (ms) => void (at += ms) };
}

/** A client on a virtual clock: sleeping advances it, so backoff and budget waits are instant and recorded. */
export function clientFor(
  baseUrl: string,
  credentials: AccrueCredentials,
  options: Partial<AccrueClientOptions> = {},
  clock: VirtualClock = virtualClock(Date.parse("2026-01-05T12:00:00Z")),
): TestClient {
  const log = captureLogger();
  const sleeps: number[] = [];
  const now = clock.now;
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const budget = createRateBudget({ perMinute: 600_000, now, sleep });
  const client = createAccrueClient({
    baseUrl,
    environment: "sandbox",
    logger: log.logger,
    timeouts: { getMs: 2_000, writeMs: 2_000 },
    budget,
    sleep,
    now,
    random: () => 0.5,
    ...options,
  }).forMerchant(credentials);
  return { client, log, sleeps, now };
}

/** The shopper's part: the widget signs in by phone and creates an intent. */
export function shopperIntent(
  sandbox: AccrueSandbox,
  credentials: AccrueCredentials,
  phoneNumber: string,
  amount = 1999,
  reference: string | null = "ref-session-1",
): string {
  return sandbox.createPaymentIntent({ clientId: credentials.clientId, phoneNumber, amount, reference }).id;
}

export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
