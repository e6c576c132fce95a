import { containsNul } from "~/lib/text";

/**
 * Reads a request body as text, refusing more than `maxBytes` with a 413 (by the declared
 * Content-Length, and while streaming when none is declared): an oversized body never
 * reaches a parser or the database.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("Content-Length") ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(maxBytes: number): Response {
  return plainText(`Request body larger than ${maxBytes} bytes`, 413);
}

/** A plain-text answer: the clear message a 4xx carries. */
export function plainText(message: string, status: number): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * The request's JSON body, or the answer to give instead: 413 when larger than `maxBytes`, 400
 * when not JSON or when it holds a NUL character (no field of ours may carry one; app/lib/text.ts).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  let json: unknown;
  try {
    json = JSON.parse(await readBodyText(request, maxBytes));
  } catch (error) {
    if (error instanceof Response) return { ok: false, response: error };
    return { ok: false, response: plainText("Body is not valid JSON", 400) };
  }
  if (containsNul(json)) return { ok: false, response: plainText("Body holds a NUL character", 400) };
  return { ok: true, json };
}

/**
 * A form post's fields (application/x-www-form-urlencoded, what every form of the app sends),
 * read within `maxBytes` (413 beyond). Anything else is answered 415: the app has no upload.
 */
export async function readFormBody(request: Request, maxBytes: number): Promise<URLSearchParams> {
  const type = request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/x-www-form-urlencoded" && type !== "") {
    throw plainText("Forms must be sent as application/x-www-form-urlencoded", 415);
  }
  const fields = new URLSearchParams(await readBodyText(request, maxBytes));
  if (containsNul([...fields.entries()])) throw plainText("Form holds a NUL character", 400);
  return fields;
}

/**
 * The same request with its body read within `maxBytes` (413 beyond), for library code that
 * reads the body itself (shopify.login() calls request.formData(), which has no limit).
 */
export async function withBoundedBody(request: Request, maxBytes: number): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD") return request;
  const body = await readBodyText(request, maxBytes);
  const headers = new Headers(request.headers);
  headers.delete("Content-Length");
  return new Request(request.url, { method: request.method, headers, body });
}
