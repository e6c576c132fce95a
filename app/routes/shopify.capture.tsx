import type { ActionFunctionArgs } from "@remix-run/node";
import { captureSessionBody } from "~/payments/finalized-session-request";
import { plainText as text } from "~/lib/http.server";
import { answerSessionRequest } from "~/payments/finalized-sessions.server";
import { receiveCaptureSession } from "~/payments/captures.server";

/** Shopify's capture_session_url: validate, store idempotently, answer 201 with an empty body; a job finishes it. */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, captureSessionBody, "capture session", (headers, body) => receiveCaptureSession(headers, body));
}

export function loader() {
  return text("Method not allowed", 405);
}
