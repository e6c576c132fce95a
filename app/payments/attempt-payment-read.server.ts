import { RetryableJobError, TerminalJobError } from "~/jobs";
import type { SecretBox } from "~/lib/secret-box";
import { accountForSession, gatewayOf, type Gateways } from "~/payments/gateway-account.server";
import type { GatewayAccount, GatewayPayment } from "~/payments/gateway/port";

/**
 * A job's read of one attempt's payment before it acts on it (a surplus refund, a capture or a
 * release), with the session's account for what follows. No usable credentials, or a gateway
 * that cannot answer now, is retried with the job's backoff (nothing is decided blind); a
 * payment the gateway does not return is terminal. `purpose` completes the messages ("to
 * refund", "to settle").
 */
export async function readAttemptPaymentForJob(
  deps: { gateways: Gateways; box: SecretBox },
  session: { shopId: string; gateway: string; test: boolean },
  attempt: { number: number; gatewayPaymentId: string },
  purpose: string,
): Promise<{ account: GatewayAccount; payment: GatewayPayment; gatewayName: string }> {
  const gatewayName = gatewayOf(deps.gateways, session).displayName;
  const account = await accountForSession(deps, session);
  if (!account.ok) throw new RetryableJobError(`No usable key ${purpose} attempt ${attempt.number}: ${account.error.message}`);
  const read = await account.value.retrieve(attempt.gatewayPaymentId);
  if (!read.ok) {
    if (read.error.category === "terminal") throw new TerminalJobError(`${gatewayName} did not return the payment ${purpose}: ${read.error.code}`);
    throw new RetryableJobError(`${gatewayName} answered ${read.error.code} while reading the payment ${purpose}`);
  }
  return { account: account.value, payment: read.value, gatewayName };
}
