/**
 * A model-based explorer of the money paths (fast-check's model-based commands). Each run opens
 * a few payment sessions (Accelebit offsite and credit card, and Accrue wallet sessions) and then
 * drives random interleavings of what shoppers, Accelebit, Accrue, Shopify, the worker and the
 * merchant do. Accelebit: card submissions (captured,
 * declined in each documented form, 3-D Secure GET/POST, provider errors), lost answers after
 * the charge, 5xx before it, a process that dies mid-submission, 3-D Secure answered or not,
 * shopper returns (real and forged), webhooks delivered late, twice or out of order (also for
 * earlier attempts), sweeper passes, time passing deadlines, a worker killed mid-job, a key
 * removed and restored, Shopify's confirmation (yes or no) and refunds. Accrue (sale and
 * authorization sessions through /shopify/accrue/payment, paid on our page: GET /pay/:token shows
 * the widget's reference, POST /pay/:token posts the widget's intent id; test/model/accrue.ts):
 * intents from every magic phone (approved, declined, insufficient funds, linked account
 * unverified, capture fails, requires action), 5xx, dropped connections (before or after the
 * effect), 429s and lost answers with reads down on authorize and capture, a process that dies
 * before or after the authorize or capture, a double post of one intent, a re-post of an old
 * (declined) intent, intents that are not the session's (another session's, a stray or missing
 * reference, another merchant's account), the worker and sweeper while Accrue fails, and partial
 * or whole refunds through /shopify/accrue/refund. Then time runs out and the invariants are
 * checked, per gateway:
 *   (a) at most one captured-or-authorized payment per session that is not refunded (for Accrue:
 *       counted in the Accrue sandbox's state, canceled payments and the app's own surplus
 *       refunds excepted; and never two authorizes, nor two payments, of one intent);
 *   (b) a session with such a payment ends resolved at Shopify (a refused card confirmation ends
 *       refunded and rejected);
 *   (c) one without it ends rejected;
 *   (d) every session is final at Shopify once the clock passed its deadlines;
 *   (e) refunds never exceed what was captured (for Accrue: per payment in the sandbox, and never
 *       more than the merchant asked Shopify to refund).
 * After every step: Shopify never holds a session resolved without a captured payment (an Accrue
 * authorization session: without a live authorization at Accrue); an intent that is not the
 * session's, or one it already tried, is never authorized by the post.
 *
 * MODEL_RUNS sets the number of runs (default 500 on SQLite, 150 on PostgreSQL). A failure prints
 * its seed and the shrunk sequence of moves; MODEL_SEED=<seed> with MODEL_RUNS reaching the
 * failing run generates the same runs again (and shrinks the failure again). MODEL_ACCRUE_SESSIONS
 * caps the Accrue sessions per run (default 2).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestCard } from "../card-decryption/encrypt-for-test";
import {
  accrueMoves,
  accrueSeen,
  ACCRUE_MAX_SESSIONS,
  checkAccrueFinalInvariants,
  checkAccrueNoResolveWithoutPayment,
  newAccrueSession,
  type AccrueModel,
} from "./accrue";
import { LIVE_KEY, SHOP, startWorld, type Crash, type World } from "./world";

const POSTGRES = process.env.TEST_DATABASE_PROVIDER === "postgresql";
const RUNS = Number(process.env.MODEL_RUNS ?? (POSTGRES ? 150 : 500));
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);
const MINUTE = 60_000;
/** Moves per run: the Accrue moves share the list, so it is longer than the Accelebit part alone needed (24). */
const MAX_COMMANDS = Number(process.env.MODEL_MAX_COMMANDS ?? 32);

const PANS = {
  captured: "4242424242424242",
  declined: "4000000000000002",
  threeDsGet: "4000000000003220",
  threeDsPost: "4000000000003063",
  providerOnce: "4000000000000259",
  providerAlways: "4000000000000119",
} as const;
type CardKind = keyof typeof PANS;

type Fault = "none" | "lost-answer" | "lost-answers-lookup-down" | "5xx-before" | "5xx-before-always" | "5xx-after-recording" | Crash;

interface ModelSession {
  id: string;
  gid: string;
  method: "offsite" | "credit_card";
  token: string;
  amount: string;
}
interface Model extends AccrueModel {
  sessions: ModelSession[];
}

let world: World;

beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

// ─── what the system shows ───────────────────────────────────────────────────────────

/** Every attempt of a session carries the reference `<shopify id>-attempt-<n>` at Accelebit. */
const paymentsOf = (session: ModelSession) =>
  world.sandbox.payments(LIVE_KEY).filter((p) => p.merchantRef === session.id || p.merchantRef?.startsWith(`${session.id}-attempt-`));
/** Refunds the app made of a charge the session does not keep (its own reasons, not Shopify's refunds). */
const ATTEMPT_REFUND_REASONS = ["A second charge of one Shopify payment", "Shopify refused to confirm the payment"];
const keptCharges = (session: ModelSession) => {
  const refunds = world.sandbox.refunds(LIVE_KEY);
  return paymentsOf(session).filter(
    (p) =>
      (p.status === "captured" || p.status === "authorized") &&
      !refunds.some((r) => r.transactionId === p.id && r.reason !== null && ATTEMPT_REFUND_REASONS.includes(r.reason)),
  );
};
const shopifyStatus = (session: ModelSession) => world.shopify.sessionState(session.gid)?.status;
const cents = (amount: string) => BigInt(amount.replace(".", ""));

/** Invariant 2, after every step: Shopify never holds a session resolved without a capture behind it. */
function checkNoResolveWithoutCapture(model: Model) {
  for (const session of model.sessions) {
    if (shopifyStatus(session) === "resolved")
      expect(
        paymentsOf(session).some((p) => p.status === "captured"),
        `${session.id} resolved without a capture`,
      ).toBe(true);
  }
}

// ─── moves ───────────────────────────────────────────────────────────────────────────

const sessionIndex = fc.nat({ max: 2 });

function target(model: Model, index: number, method?: ModelSession["method"]): ModelSession | undefined {
  const candidates = method ? model.sessions.filter((s) => s.method === method) : model.sessions;
  return candidates.length ? candidates[index % candidates.length] : undefined;
}

class NewSession implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly method: ModelSession["method"],
    readonly card: CardKind,
    readonly amount: string,
  ) {}
  check = (model: Readonly<Model>) => model.sessions.length < 3;
  async run(model: Model, w: World) {
    const card: TestCard = { full_name: "Alice Smith", pan: PANS[this.card], month: 12, year: 2039, verification_value: "123" };
    const request = w.shopify.createPaymentSession({ shop: SHOP, amount: this.amount, currency: "EUR", test: false, paymentMethodType: this.method, card });
    const url = `${w.appUrl}/shopify/${this.method === "offsite" ? "payment" : "card/payment"}`;
    const delivery = await w.shopify.sendPaymentSession(url, request);
    expect(delivery.status).toBe(201);
    const row = await w.app.db().paymentSession.findFirstOrThrow({ where: { shopifyId: request.id }, select: { shopperToken: true } });
    model.sessions.push({ id: request.id, gid: request.gid, method: this.method, token: row.shopperToken, amount: this.amount });
  }
  toString = () => `NewSession(${this.method}, ${this.card}, ${this.amount})`;
}

function faultsFor(fault: Fault) {
  switch (fault) {
    case "lost-answer":
      return { dropConnection: { count: 1, match: "POST /v1/payments" } };
    case "lost-answers-lookup-down":
      return { dropConnection: { count: 3, match: "POST /v1/payments" }, serverErrors: { count: 40, match: "GET /v1/payments" } };
    case "5xx-before":
      return { serverErrors: { count: 1, match: "POST /v1/payments" } };
    case "5xx-before-always":
      return { serverErrors: { count: 3, match: "POST /v1/payments" } };
    case "5xx-after-recording":
      return { serverErrors: { count: 1, afterRecording: true, match: "POST /v1/payments" } };
    default:
      return {};
  }
}

class Submit implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly index: number,
    readonly card: CardKind,
    readonly fault: Fault,
  ) {}
  check = (model: Readonly<Model>) => target(model as Model, this.index, "offsite") !== undefined;
  async run(model: Model, w: World) {
    const session = target(model, this.index, "offsite")!;
    const fields = { name: "Alice Smith", number: PANS[this.card], expiry: "12/39", cvc: "123" };
    w.sandbox.setFaults(faultsFor(this.fault));
    try {
      if (this.fault === "before-post" || this.fault === "after-post") {
        const crashed = w.armCrash(this.fault);
        const submission = w.app.submitCard(session.token, fields, "203.0.113.7", w.deps);
        // The process died: the submission never finishes, or it never reached the POST (busy).
        const first = await Promise.race([crashed.then(() => "crashed" as const), submission.then(() => "done" as const)]);
        // Nothing reached Accelebit (the session was busy or the form invalid): nothing to crash.
        if (first === "done") w.disarmCrash();
      } else {
        await w.app.submitCard(session.token, fields, "203.0.113.7", w.deps);
      }
    } finally {
      w.sandbox.clearFaults();
    }
  }
  toString = () => `Submit(#${this.index}, ${this.card}, ${this.fault})`;
}

class DoubleSubmit implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly index: number,
    readonly card: CardKind,
  ) {}
  check = (model: Readonly<Model>) => target(model as Model, this.index, "offsite") !== undefined;
  async run(model: Model, w: World) {
    const session = target(model, this.index, "offsite")!;
    const fields = { name: "Alice Smith", number: PANS[this.card], expiry: "12/39", cvc: "123" };
    await Promise.all([w.app.submitCard(session.token, fields, null, w.deps), w.app.submitCard(session.token, fields, null, w.deps)]);
  }
  toString = () => `DoubleSubmit(#${this.index}, ${this.card})`;
}

class AnswerChallenge implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly index: number,
    readonly outcome: "approve" | "fail",
  ) {}
  check = (model: Readonly<Model>) => model.sessions.length > 0;
  async run(model: Model, w: World) {
    const session = target(model, this.index)!;
    const open = paymentsOf(session).filter((p) => p.status === "pending_3ds");
    // The shopper may answer any challenge still open at their bank (an earlier one too).
    for (const payment of open.slice(0, 1)) w.sandbox.answerChallenge(LIVE_KEY, payment.id, this.outcome);
  }
  toString = () => `AnswerChallenge(#${this.index}, ${this.outcome})`;
}

/** The shopper's browser comes back to our return URL, whether or not the bank has answered (a forged return proves nothing). */
class ShopperReturns implements fc.AsyncCommand<Model, World> {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>) => model.sessions.length > 0;
  async run(model: Model, w: World) {
    await w.app.finishThreeDs(target(model, this.index)!.token, w.deps);
  }
  toString = () => `ShopperReturns(#${this.index})`;
}

class DeliverWebhooks implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly order: "fifo" | "lifo",
    readonly twice: boolean,
    readonly onlyOldest: boolean,
  ) {}
  check = () => true;
  async run(_model: Model, w: World) {
    const held = w.sandbox.heldWebhooks();
    if (!held.length) return;
    await w.sandbox.releaseWebhooks({ order: this.order, twice: this.twice, ...(this.onlyOldest ? { eventIds: [held[0]!.eventId] } : {}) });
  }
  toString = () => `DeliverWebhooks(${this.order}${this.twice ? ", twice" : ""}${this.onlyOldest ? ", oldest only" : ""})`;
}

class RunJobs implements fc.AsyncCommand<Model, World> {
  constructor(readonly fault: Fault) {}
  check = () => true;
  async run(_model: Model, w: World) {
    w.sandbox.setFaults(this.fault === "before-post" || this.fault === "after-post" ? {} : faultsFor(this.fault));
    try {
      await w.worker.runDueJobs();
    } finally {
      w.sandbox.clearFaults();
    }
  }
  toString = () => `RunJobs(${this.fault})`;
}

class Sweep implements fc.AsyncCommand<Model, World> {
  check = () => true;
  async run(_model: Model, w: World) {
    await w.app.sweep(w.deps, new Date());
  }
  toString = () => "Sweep";
}

class Advance implements fc.AsyncCommand<Model, World> {
  constructor(readonly minutes: number) {}
  check = () => true;
  async run(_model: Model, w: World) {
    w.advance(this.minutes * MINUTE);
  }
  toString = () => `Advance(${this.minutes} min)`;
}

/** A worker dies holding a job: right after claiming it, or after its work but before recording the outcome. */
class KillWorkerMidJob implements fc.AsyncCommand<Model, World> {
  constructor(readonly after: boolean) {}
  check = () => true;
  async run(_model: Model, w: World) {
    const job = await w.app.claimNextJob(w.app.db(), { workerId: "doomed-worker", leaseMs: 2 * MINUTE, now: new Date(), logger: w.app.logger });
    if (!job || !this.after) return;
    const handler = w.handlers[job.type];
    await handler?.(JSON.parse(job.payload), {
      jobId: job.id,
      attempt: job.attempts,
      shopId: job.shopId,
      now: new Date(),
      finalAttempt: job.attempts >= job.maxAttempts,
      logger: w.app.logger,
    }).catch(() => {});
  }
  toString = () => `KillWorkerMidJob(${this.after ? "after its work" : "right after claiming"})`;
}

class RemoveKey implements fc.AsyncCommand<Model, World> {
  check = () => true;
  run = (_model: Model, w: World) => w.removeLiveKey();
  toString = () => "RemoveLiveKey";
}

class RestoreKey implements fc.AsyncCommand<Model, World> {
  check = () => true;
  run = (_model: Model, w: World) => w.restoreLiveKey();
  toString = () => "RestoreLiveKey";
}

/** Shopify answers paymentSessionConfirm at the confirmation callback (credit card after 3-D Secure). */
class ShopifyConfirms implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly index: number,
    readonly confirmed: boolean,
  ) {}
  check = (model: Readonly<Model>) => target(model as Model, this.index, "credit_card") !== undefined;
  async run(model: Model, w: World) {
    const session = target(model, this.index, "credit_card")!;
    if (shopifyStatus(session) !== "confirming") return;
    await confirm(w, session, this.confirmed);
  }
  toString = () => `ShopifyConfirms(#${this.index}, ${this.confirmed})`;
}

function confirm(w: World, session: ModelSession, confirmed: boolean) {
  return w.app.receiveConfirmation(
    { shop: SHOP, requestId: `confirm-${session.id}`, apiVersion: "2026-04" },
    { id: session.id, gid: session.gid, confirmation_result: confirmed },
    w.deps,
  );
}

/** The merchant refunds part or all of a resolved payment from Shopify admin. */
class ShopifyRefund implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly index: number,
    readonly whole: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.sessions.length > 0;
  async run(model: Model, w: World) {
    const session = target(model, this.index)!;
    if (shopifyStatus(session) !== "resolved") return;
    const amount = this.whole ? session.amount : "1.00";
    const refund = w.shopify.createRefundSession({ paymentId: session.id, amount, currency: "EUR" });
    expect((await w.shopify.sendRefundSession(`${w.appUrl}/shopify/refund`, refund)).status).toBe(201);
  }
  toString = () => `ShopifyRefund(#${this.index}, ${this.whole ? "whole" : "1.00"})`;
}

const weighted = <T>(choices: [T, number][]) => fc.oneof(...choices.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));
const cardKind = weighted<CardKind>([
  ["captured", 3],
  ["declined", 3],
  ["threeDsGet", 2],
  ["threeDsPost", 1],
  ["providerOnce", 1],
  ["providerAlways", 1],
]);
const fault = weighted<Fault>([
  ["none", 8],
  ["lost-answer", 1],
  ["lost-answers-lookup-down", 1],
  ["5xx-before", 1],
  ["5xx-before-always", 1],
  ["5xx-after-recording", 1],
  ["before-post", 1],
  ["after-post", 1],
]);

const newSession = fc
  .tuple(fc.constantFrom<ModelSession["method"]>("offsite", "credit_card"), cardKind, fc.constantFrom("49.99", "10.00", "125.50"))
  .map(([m, c, a]) => new NewSession(m, c, a));

/** The moves, weighted towards what shoppers and the background do most. */
const move = fc.oneof(
  { weight: 1, arbitrary: newSession },
  { weight: 7, arbitrary: fc.tuple(sessionIndex, cardKind, fault).map(([i, c, f]) => new Submit(i, c, f)) },
  { weight: 1, arbitrary: fc.tuple(sessionIndex, cardKind).map(([i, c]) => new DoubleSubmit(i, c)) },
  { weight: 3, arbitrary: fc.tuple(sessionIndex, fc.constantFrom<"approve" | "fail">("approve", "fail")).map(([i, o]) => new AnswerChallenge(i, o)) },
  { weight: 3, arbitrary: sessionIndex.map((i) => new ShopperReturns(i)) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom<"fifo" | "lifo">("fifo", "lifo"), fc.boolean(), fc.boolean()).map(([o, t, first]) => new DeliverWebhooks(o, t, first)),
  },
  { weight: 4, arbitrary: fault.map((f) => new RunJobs(f)) },
  { weight: 2, arbitrary: fc.constant(new Sweep()) },
  { weight: 3, arbitrary: fc.constantFrom(1, 1, 2, 5, 5, 11, 11, 31, 120, 26 * 60).map((m) => new Advance(m)) },
  { weight: 1, arbitrary: fc.boolean().map((after) => new KillWorkerMidJob(after)) },
  { weight: 1, arbitrary: fc.constant(new RemoveKey()) },
  { weight: 1, arbitrary: fc.constant(new RestoreKey()) },
  { weight: 2, arbitrary: fc.tuple(sessionIndex, fc.boolean()).map(([i, c]) => new ShopifyConfirms(i, c)) },
  { weight: 1, arbitrary: fc.tuple(sessionIndex, fc.boolean()).map(([i, w]) => new ShopifyRefund(i, w)) },
  ...(accrueMoves as { weight: number; arbitrary: fc.Arbitrary<fc.AsyncCommand<Model, World>> }[]),
);

interface Ending {
  /** Shopify's answer to a confirmation still outstanding. */
  confirmation: boolean;
  /** A challenge still open is answered late: after the shopper's deadline, or after Shopify's pending window. */
  lateAnswer: "none" | "approve-after-deadline" | "fail-after-deadline" | "approve-after-window";
}

/**
 * Time runs out: the merchant fixed their key, Shopify answered every confirmation, every
 * webhook arrived (Accelebit retries), a bank may answer a challenge long after the shopper
 * left, and the clock passed every deadline.
 */
async function timePasses(model: Model, w: World, ending: Ending) {
  w.sandbox.clearFaults();
  w.accrue.clearFaults();
  w.disarmCrash();
  await w.restoreLiveKey();
  const answerLate = () => {
    const outcome = ending.lateAnswer.startsWith("approve") ? "approve" : "fail";
    for (const session of model.sessions)
      for (const p of paymentsOf(session)) if (p.status === "pending_3ds") w.sandbox.answerChallenge(LIVE_KEY, p.id, outcome);
  };
  for (const minutes of [3, 11, 31, 120, 26 * 60, 3 * 24 * 60, 24 * 60]) {
    w.advance(minutes * MINUTE);
    if (minutes === 120 && ending.lateAnswer.endsWith("deadline")) answerLate();
    if (minutes === 24 * 60 && ending.lateAnswer === "approve-after-window") answerLate();
    for (let round = 0; round < 6; round++) {
      await w.sandbox.releaseWebhooks();
      await w.app.sweep(w.deps, new Date());
      for (const session of model.sessions)
        if (session.method === "credit_card" && shopifyStatus(session) === "confirming") await confirm(w, session, ending.confirmation);
      w.accrue.tick();
      if ((await w.worker.runDueJobs()) === 0 && !w.sandbox.heldWebhooks().length) break;
    }
  }
}

/** What the runs went through, printed at the end: proof the explorer reaches the interesting states. */
const seen = {
  runs: 0,
  sessions: 0,
  card: 0,
  resolved: 0,
  rejected: 0,
  attempts: 0,
  declinedThenPaid: 0,
  threeDs: 0,
  surplusRefunds: 0,
  refusedConfirmations: 0,
  commands: 0,
  endingMs: 0,
};

function checkFinalInvariants(model: Model) {
  const refunds = world.sandbox.refunds(LIVE_KEY);
  seen.runs++;
  for (const session of model.sessions) {
    const kept = keptCharges(session);
    const status = shopifyStatus(session);
    const payments = paymentsOf(session);
    seen.sessions++;
    if (session.method === "credit_card") seen.card++;
    if (status === "resolved") seen.resolved++;
    if (status === "rejected") seen.rejected++;
    seen.attempts += payments.length;
    if (payments.some((p) => p.status === "failed") && kept.length === 1) seen.declinedThenPaid++;
    if (payments.some((p) => p.threeDsRequired)) seen.threeDs++;
    const attemptRefunds = refunds.filter(
      (r) => payments.some((p) => p.id === r.transactionId) && r.reason !== null && ATTEMPT_REFUND_REASONS.includes(r.reason),
    );
    seen.surplusRefunds += attemptRefunds.filter((r) => r.reason === ATTEMPT_REFUND_REASONS[0]).length;
    seen.refusedConfirmations += attemptRefunds.filter((r) => r.reason === ATTEMPT_REFUND_REASONS[1]).length;
    const label = `${session.method} session ${session.id}`;
    // (a) at most one charge the session keeps.
    expect(kept.length, `${label}: charges kept`).toBeLessThanOrEqual(1);
    // (d) final at Shopify.
    expect(["resolved", "rejected"], `${label}: final at Shopify`).toContain(status);
    // (b) kept ⇒ resolved; (c) none kept ⇒ rejected.
    expect(status, `${label}: Shopify state for ${kept.length} kept charge(s)`).toBe(kept.length === 1 ? "resolved" : "rejected");
    // (e) never more refunded than captured, at Accelebit and at Shopify.
    for (const payment of paymentsOf(session)) {
      const refunded = refunds.filter((r) => r.transactionId === payment.id).reduce((sum, r) => sum + cents(r.amount), 0n);
      expect(refunded <= cents(payment.amount), `${label}: refunded ${refunded} of ${payment.amount}`).toBe(true);
    }
  }
}

describe("payments model", () => {
  it(`keeps every invariant over ${RUNS} random runs`, async () => {
    const declineStyles = ["error_400", "error_402", "created_failed"] as const;
    const lookups = ["newest", "oldest", "list"] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...declineStyles),
        fc.constantFrom(...lookups),
        fc.array(newSession, { minLength: 1, maxLength: 3 }),
        fc.array(newAccrueSession, { minLength: Math.min(1, ACCRUE_MAX_SESSIONS), maxLength: Math.max(0, ACCRUE_MAX_SESSIONS - 1) }),
        fc.commands([move], { maxCommands: MAX_COMMANDS, size: "+1" }),
        fc.record({
          confirmation: fc.boolean(),
          lateAnswer: fc.constantFrom<Ending["lateAnswer"]>("none", "approve-after-deadline", "fail-after-deadline", "approve-after-window"),
        }),
        async (declineStyle, merchantRefLookup, opening, accrueOpening, commands, ending) => {
          world.forgetEarlierRuns();
          world.sandbox.setBehaviour({ declineStyle, merchantRefLookup });
          await world.restoreLiveKey();
          const model: Model = { sessions: [], accrue: [] };
          for (const start of opening) await start.run(model, world);
          for (const start of accrueOpening) await start.run(model, world);
          const checked = [...commands].map((command) => ({
            check: (m: Readonly<Model>) => command.check(m),
            run: async (m: Model, w: World) => {
              if (process.env.MODEL_TRACE) console.log(`move ${command.toString()}`);
              await command.run(m, w);
              checkNoResolveWithoutCapture(m);
              checkAccrueNoResolveWithoutPayment(w, m);
            },
            toString: () => command.toString(),
          }));
          seen.commands += checked.length;
          await fc.asyncModelRun(() => ({ model, real: world }), checked);
          const started = performance.now();
          await timePasses(model, world, ending);
          seen.endingMs += performance.now() - started;
          checkFinalInvariants(model);
          await checkAccrueFinalInvariants(world, model);
        },
      ),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: false },
    );
    console.log(`payments model: ${JSON.stringify({ ...seen, ...accrueSeen })}`);
  }, 3_600_000);
});
