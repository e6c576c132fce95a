import { readBodyText } from "~/lib/http.server";

/** Shopify's card requests are a few kilobytes; refuse anything far larger before parsing. */
const MAX_BODY_BYTES = 64 * 1024;

export function text(message: string, status: number): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** The request's JSON body, or the 4xx answer to give instead (413 too large, 400 not JSON). */
export async function readJson(request: Request): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  try {
    return { ok: true, json: JSON.parse(await readBodyText(request, MAX_BODY_BYTES)) };
  } catch (error) {
    if (error instanceof Response) return { ok: false, response: error };
    return { ok: false, response: text("Body is not valid JSON", 400) };
  }
}

/** An empty 2xx answer (Shopify needs no body, reference §2.4). */
export function empty(status: number): Response {
  return new Response(null, { status });
}
