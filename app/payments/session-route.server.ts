import type { z } from "zod";
import { plainText, readJsonBody } from "~/lib/http.server";
import { describeIssues, readSessionHeaders, type SessionHeaders } from "~/payments/session-request";

/**
 * The one reader of every Shopify session route (payment, credit card, refund, capture, void,
 * confirmation): method, headers, a bounded JSON body, the body's schema, then the use case;
 * the use case's answer is sent as Shopify wants it. Nothing reaches a use case unvalidated.
 */
export interface SessionAnswer {
  status: number;
  /** JSON for a 2xx with a body (a payment session's redirect_url), a plain message for a 4xx, empty for Shopify's bare 201. */
  body: string;
}

/**
 * Each request's name in our messages, and how large it may be: they are a few kilobytes, and
 * anything far larger is refused before parsing. A payment session carries the customer, its
 * addresses and (credit card) the encrypted card; the others carry ids and an amount.
 */
const MAX_BYTES = {
  "payment session": 64 * 1024,
  "refund session": 16 * 1024,
  "capture session": 16 * 1024,
  "void session": 16 * 1024,
  confirmation: 16 * 1024,
} as const;

export type SessionRequestKind = keyof typeof MAX_BYTES;

export async function answerSessionRequest<T>(
  request: Request,
  schema: z.ZodType<T>,
  what: SessionRequestKind,
  receive: (headers: SessionHeaders, body: T) => Promise<SessionAnswer>,
): Promise<Response> {
  if (request.method !== "POST") return plainText("Method not allowed", 405);
  const headers = readSessionHeaders(request);
  if (!headers.success) return plainText(`Invalid headers: ${describeIssues(headers.error)}`, 400);
  const read = await readJsonBody(request, MAX_BYTES[what]);
  if (!read.ok) return read.response;
  const body = schema.safeParse(read.json);
  if (!body.success) return plainText(`Invalid ${what}: ${describeIssues(body.error)}`, 422);
  const answer = await receive(headers.data, body.data);
  if (answer.status >= 300) return plainText(answer.body, answer.status);
  if (answer.body === "") return new Response(null, { status: answer.status });
  return new Response(answer.body, { status: answer.status, headers: { "Content-Type": "application/json" } });
}

export function methodNotAllowed(): Response {
  return plainText("Method not allowed", 405);
}
