import type { AccelebitAccount, AccelebitGateway, KeySelectionError, Result } from "~/accelebit";
import type { SecretBox } from "~/lib/secret-box";
import { gatewayKeyFor } from "~/merchants/settings.server";

/**
 * The shop's Accelebit account for a session's mode: the test key for a test session, the
 * live key for a live one (never mixed; selectApiKey refuses a key of the other mode). Only
 * the key of that mode is decrypted.
 */
export async function accountForSession(
  deps: { gateway: AccelebitGateway; box: SecretBox },
  session: { shopId: string; test: boolean },
): Promise<Result<AccelebitAccount, KeySelectionError>> {
  const key = await gatewayKeyFor(session.shopId, session.test ? "test" : "live", deps.box);
  return deps.gateway.forSession(session, session.test ? { testKey: key } : { liveKey: key });
}
