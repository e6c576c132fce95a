import { db } from "~/db.server";
import { jobLabel, sessionsOfJobs } from "~/dashboard/session-jobs.server";
import { formatDecimalAmount } from "~/dashboard/money";
import { listDeadJobs } from "~/jobs";

/**
 * What needs the merchant's attention, each with what to do about it. Shown on the setup
 * page and above the transactions list. Every query is scoped to the shop and bounded.
 */
export interface Problem {
  id: "missing-test-key" | "missing-live-key" | "dead-jobs" | "pending-expiring";
  tone: "critical" | "warning";
  title: string;
  /** What the merchant should do. */
  action: string;
  items: { label: string; detail: string | null; url: string | null }[];
}

/** Pending payments whose deadline is nearer than this are listed. */
export const PENDING_WARNING_MS = 24 * 60 * 60 * 1000;
const MAX_ITEMS = 20;
/** A mode without its key is a problem when it received sessions this recently. */
export const RECENT_SESSIONS_MS = 30 * 24 * 60 * 60 * 1000;

const transactionUrl = (id: string) => `/app/transactions/${id}`;

export async function findProblems(shopId: string, now = new Date()): Promise<Problem[]> {
  const [credentials, deadJobs, expiring] = await Promise.all([
    db().gatewayCredential.findMany({ where: { shopId, gateway: "accelebit" }, select: { mode: true } }),
    listDeadJobs(shopId, { limit: MAX_ITEMS }),
    db().paymentSession.findMany({
      where: { shopId, status: "pending", pendingExpiresAt: { lt: new Date(now.getTime() + PENDING_WARNING_MS) } },
      orderBy: [{ pendingExpiresAt: "asc" }, { id: "asc" }],
      take: MAX_ITEMS,
      select: { id: true, shopifyId: true, amount: true, currency: true, gatewayPaymentId: true, pendingExpiresAt: true },
    }),
  ]);
  const problems: Problem[] = [];

  for (const mode of ["live", "test"] as const) {
    const hasKey = credentials.some((c) => c.mode === mode);
    // Only looked for when the key is missing, and only in recent sessions: a merchant who
    // removed the live key on purpose is not told about last year's live orders, and the
    // query reads a bounded slice of the (shopId, createdAt) index.
    if (hasKey) continue;
    const received = await db().paymentSession.findFirst({
      where: { shopId, createdAt: { gte: new Date(now.getTime() - RECENT_SESSIONS_MS) }, test: mode === "test" },
      // Newest first, so both databases walk the (shopId, createdAt) index from its recent
      // end; unordered, PostgreSQL may scan the table from its oldest rows for this LIMIT 1.
      orderBy: { createdAt: "desc" },
      select: { id: true },
    });
    if (!received) continue;
    problems.push({
      id: mode === "live" ? "missing-live-key" : "missing-test-key",
      tone: "critical",
      title: `Shopify sent ${mode} payments in the last 30 days, but no Accelebit ${mode} key is saved`,
      action:
        `${mode === "live" ? "Live" : "Test"} payments are declined without charging the customer until you add your Accelebit ${mode} ` +
        `secret key in Accelebit settings.`,
      items: [],
    });
  }

  if (deadJobs.length) {
    const sessions = await sessionsOfJobs(shopId, deadJobs);
    problems.push({
      id: "dead-jobs",
      tone: "critical",
      title: `${deadJobs.length === MAX_ITEMS ? `${MAX_ITEMS} or more` : deadJobs.length} background ${deadJobs.length === 1 ? "task" : "tasks"} stopped retrying`,
      action:
        "The app kept retrying for a day and then stopped. Open the payment to read the last error; once its cause is fixed " +
        "(for example Shopify or Accelebit was unreachable, or a key was revoked), retry the task from there.",
      items: deadJobs.map((job) => {
        const sessionId = sessions.get(job.id);
        return {
          label: `${jobLabel(job.type)} (${job.attempts} of ${job.maxAttempts} attempts)`,
          detail: job.lastError,
          url: sessionId ? transactionUrl(sessionId) : null,
        };
      }),
    });
  }

  if (expiring.length) {
    problems.push({
      id: "pending-expiring",
      tone: "warning",
      title: `${expiring.length === MAX_ITEMS ? `${MAX_ITEMS} or more` : expiring.length} pending ${expiring.length === 1 ? "payment reaches" : "payments reach"} Shopify's deadline within 24 hours`,
      action:
        "Accelebit has not confirmed whether these customers were charged; the app keeps checking. Look each payment up in " +
        "your Accelebit dashboard. If it is not settled by its deadline, Shopify stops waiting for it: then check the order in " +
        "Shopify and refund any charge from Accelebit that has no paid order.",
      items: expiring.map((s) => ({
        label: `${s.shopifyId}: ${formatDecimalAmount(s.amount, s.currency)} ${s.currency}`,
        detail: `Deadline ${s.pendingExpiresAt!.toISOString()}${s.gatewayPaymentId ? ` · Accelebit ${s.gatewayPaymentId}` : ""}`,
        url: transactionUrl(s.id),
      })),
    });
  }
  return problems;
}

/** The same for a shop domain (the setup page knows the domain, not the id). */
export async function findProblemsForShop(domain: string, now = new Date()): Promise<Problem[]> {
  const shop = await db().shop.findUnique({ where: { domain }, select: { id: true } });
  return shop ? findProblems(shop.id, now) : [];
}
