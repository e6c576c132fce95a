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

/** The request's JSON body, or the answer to give instead: 413 when larger than `maxBytes`, 400 when not JSON. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  try {
    return { ok: true, json: JSON.parse(await readBodyText(request, maxBytes)) };
  } catch (error) {
    if (error instanceof Response) return { ok: false, response: error };
    return { ok: false, response: plainText("Body is not valid JSON", 400) };
  }
}
