import { checkReadiness } from "~/lib/readiness.server";

/** Readiness: the database is reachable and migrated. */
export async function loader() {
  const readiness = await checkReadiness();
  return new Response(readiness.ready ? "ready" : `not ready: ${readiness.reason}`, {
    status: readiness.ready ? 200 : 503,
    headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" },
  });
}
