/**
 * Decisions "HTTP status for failed payments" and "Shape of a declined payment": a decline
 * may come back as HTTP 201 with `data.status = "failed"` (details in `data.error` or in a
 * top-level `error`), or as a 4xx error envelope with `error.name = CARD_DECLINED`. Both
 * become the same value here, decided on `status` and `error.name`, never on the HTTP code.
 *
 * Create-payment results after this function:
 * - ok: captured, authorized, or pending_3ds (with usable threeDsData);
 * - error: CARD_DECLINED (or the name Accelebit gave) with `payment` attached when
 *   Accelebit recorded one; category terminal, because repeating the same request with the
 *   same key replays the same failure — the shopper may try again as a new attempt.
 */
import { type z } from "zod";
import { accelebitError, isDocumentedErrorName, type AccelebitError } from "./errors";
import { scrubSecrets } from "./redact";
import { err, ok, type Result } from "~/lib/result";
import { describeIssues, paymentSchema, type AccelebitPayment, type GatewayErrorInfo } from "./response-schemas";

export function unexpected(httpStatus: number | null, what: string, issues: z.ZodError, outcomeUnknown: boolean): AccelebitError {
  return accelebitError({
    name: "UNEXPECTED_RESPONSE",
    category: outcomeUnknown ? "outcome_unknown" : "terminal",
    origin: "gateway",
    httpStatus,
    message: `Accelebit answered with an unexpected ${what}: ${describeIssues(issues)}`,
  });
}

/** The record goes back to the caller, who may store it: its free text loses this request's secrets. */
function withoutSecrets(payment: AccelebitPayment, secrets: readonly (string | undefined)[]): AccelebitPayment {
  if (!payment.error?.message) return payment;
  return { ...payment, error: { ...payment.error, message: scrubSecrets(payment.error.message, secrets) } };
}

/** Turns a recorded payment into the create-payment result described above. */
export function paymentOutcome(
  recorded: AccelebitPayment,
  context: { httpStatus: number | null; topLevelError: GatewayErrorInfo | null; secrets: readonly (string | undefined)[] },
): Result<AccelebitPayment, AccelebitError> {
  const payment = withoutSecrets(recorded, context.secrets);
  if (payment.status === "failed") {
    const info = payment.error ?? context.topLevelError ?? null;
    const gatewayName = info?.name ?? null;
    return err(
      accelebitError({
        name: isDocumentedErrorName(gatewayName) ? gatewayName : "CARD_DECLINED",
        gatewayName,
        category: "terminal",
        origin: "gateway",
        httpStatus: context.httpStatus,
        message: scrubSecrets(info?.message ?? "The payment failed", context.secrets),
        payment,
      }),
    );
  }
  if (payment.status === "pending_3ds" && !payment.threeDsData) {
    return err(
      accelebitError({
        name: "UNEXPECTED_RESPONSE",
        origin: "gateway",
        httpStatus: context.httpStatus,
        message: "Accelebit asked for 3-D Secure without threeDsData; the payment cannot continue",
        payment,
      }),
    );
  }
  return ok(payment);
}

/** Reads the `data` of a create-payment success. An unreadable answer to our POST means the outcome is unknown. */
export function readCreatedPayment(
  data: unknown,
  context: { httpStatus: number; topLevelError: GatewayErrorInfo | null; secrets: readonly (string | undefined)[] },
): Result<AccelebitPayment, AccelebitError> {
  const parsed = paymentSchema.safeParse(data);
  if (!parsed.success) return err(unexpected(context.httpStatus, "payment", parsed.error, true));
  return paymentOutcome(parsed.data, context);
}
