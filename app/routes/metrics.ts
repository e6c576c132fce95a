import { timingSafeEqual } from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/lib/config.server";
import { metricsText } from "~/observability/metrics-snapshot.server";
import { registry } from "~/observability/metrics.server";

/** Prometheus metrics, for the operator only: a bearer token (METRICS_TOKEN); without one configured, off. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = config().METRICS_TOKEN;
  if (!token) return new Response("Not found", { status: 404 });
  const given = Buffer.from(request.headers.get("Authorization")?.replace(/^Bearer\s+/i, "") ?? "");
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  }
  return new Response(await metricsText(), { headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" } });
}
