/** Shared pieces of the Accrue tests: a sandbox with one merchant, a client wired to it on a virtual clock. */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { createAccrueClient, createRateBudget, type AccrueClientOptions, type AccrueCredentials, type AccrueMerchantClient } from "~/accrue";
import { captureLogger } from "../accelebit/support";
import { startAccrueSandbox, type AccrueSandbox, type AccrueSandboxOptions } from "../simulators/accrue/server";

export { MAGIC_PHONES } from "../simulators/accrue/server";
/** Gateway-neutral test helpers, shared with the Accelebit tests. */
export { captureLogger, closedPortUrl, type CapturedLog } from "../accelebit/support";

export function startSandbox(options: AccrueSandboxOptions = {}): Promise<AccrueSandbox> {
  return startAccrueSandbox({ webhookRetry: { maxAttempts: 4, baseDelayMs: 1 }, sleep: async () => {}, ...options });
}

/**
 * One sandbox for the test file, reset before each test with a fresh merchant, handed to the
 * file's own variables through `assign` (so tests can still replace the merchant).
 */
export function sandboxPerTest(assign: (sandbox: AccrueSandbox, merchant: AccrueCredentials) => void, options: AccrueSandboxOptions = {}): void {
  let sandbox: AccrueSandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
  });
  afterAll(() => sandbox?.close());
  beforeEach(() => {
    if (!sandbox) throw new Error("sandbox not started");
    sandbox.reset();
    assign(sandbox, sandbox.createMerchant({ name: "Shop one" }));
  });
}

export interface TestClient {
  readonly client: AccrueMerchantClient;
  readonly log: ReturnType<typeof captureLogger>;
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

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
