import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics of this process, served at /metrics (behind METRICS_TOKEN). Database
 * gauges (sessions by outcome, job queue) are read when scraped; latencies are observed
 * where the calls happen, through instrumented fetch functions given to the two clients.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "accelebit_app_" });

export const gatewayLatency = new Histogram({
  name: "accelebit_gateway_request_seconds",
  help: "Accelebit API request latency by method, path template and status",
  labelNames: ["method", "path", "status"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  registers: [registry],
});

export const shopifyMutationLatency = new Histogram({
  name: "shopify_payments_api_request_seconds",
  help: "Payments Apps GraphQL request latency by status",
  labelNames: ["status"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: "http_request_seconds",
  help: "App HTTP request duration by method, route template and status",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const paymentSessions = new Gauge({
  name: "payment_sessions",
  help: "Payment sessions by status (read from the database when scraped)",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const jobs = new Gauge({
  name: "jobs",
  help: "Durable jobs by status (read from the database when scraped)",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const oldestDueJobAge = new Gauge({
  name: "jobs_oldest_due_age_seconds",
  help: "Age of the oldest pending job that is due (0 when none)",
  registers: [registry],
});

export const retriedJobs = new Gauge({
  name: "jobs_retried",
  help: "Jobs that needed more than one attempt, by status",
  labelNames: ["status"] as const,
  registers: [registry],
});

/**
 * An Accelebit API path as a label: ids become placeholders, and a path outside the documented
 * resources is one label. (The app's own routes are labelled from the Remix route table:
 * app/observability/route-templates.server.ts.)
 */
export function gatewayPathTemplate(pathname: string): string {
  // ACCELEBIT_API_URL may carry a path prefix before /v1.
  const match = /\/v1\/(payments|customers|refunds)(\/[^/]+)?\/?$/.exec(pathname);
  return match ? `/v1/${match[1]}${match[2] ? "/:id" : ""}` : "other";
}

/** A fetch that records its latency into `histogram`. */
export function timedFetch(observe: (url: URL, method: string, status: string, seconds: number) => void): typeof fetch {
  return async (input, init) => {
    const started = performance.now();
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    try {
      const response = await fetch(input, init);
      observe(url, method, String(response.status), (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      observe(url, method, "network_error", (performance.now() - started) / 1000);
      throw error;
    }
  };
}
