import type { ActionFunctionArgs } from "@remix-run/node";
import { chargeDeps } from "~/payments/charge-deps.server";
import { captureSessionBody } from "~/payments/finalized-session-request";
import { receiveCaptureSession } from "~/payments/captures.server";
import { answerSessionRequest, methodNotAllowed } from "~/payments/session-route.server";

/** Shopify's capture_session_url of the Accrue extension: validate, store idempotently, answer 201 with an empty body; a job finishes it. */
export function action({ request }: ActionFunctionArgs) {
  return answerSessionRequest(request, captureSessionBody, "capture session", (headers, body) => receiveCaptureSession(headers, body, "accrue", chargeDeps()));
}

export const loader = methodNotAllowed;
