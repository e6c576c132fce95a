import type { SecretBox } from "~/lib/secret-box";
import type { Result } from "~/lib/result";
import { loadCredentials } from "~/merchants/credentials.server";
import { isGatewayId, type CredentialProblem, type GatewayAccount, type GatewayId, type GatewayMode, type PaymentGateway } from "~/payments/gateway/port";

/** Picks the adapter of a gateway (app/gateways.server.ts in the app; a fake in unit tests). */
export type Gateways = (id: GatewayId) => PaymentGateway;

export function gatewayOf(gateways: Gateways, session: { gateway: string }): PaymentGateway {
  if (!isGatewayId(session.gateway)) throw new Error(`Unknown gateway "${session.gateway}"`);
  return gateways(session.gateway);
}

/** A session's mode at its gateway: test sessions use test (sandbox) credentials and hosts, live ones live. */
export function sessionMode(session: { test: boolean }): GatewayMode {
  return session.test ? "test" : "live";
}

/**
 * The shop's account at the session's gateway, for the session's mode: test credentials for a
 * test session, live ones for a live session (never mixed; the adapter refuses credentials of
 * the other mode). Only the credentials of that mode are decrypted. A problem's message says
 * what the merchant does about it.
 */
export async function accountForSession(
  deps: { gateways: Gateways; box: SecretBox },
  session: { shopId: string; gateway: string; test: boolean },
): Promise<Result<GatewayAccount, CredentialProblem>> {
  const gateway = gatewayOf(deps.gateways, session);
  const mode = sessionMode(session);
  const account = gateway.account(await loadCredentials(session.shopId, gateway.id, mode, deps.box), mode);
  if (account.ok) return account;
  return { ok: false, error: { ...account.error, message: `${account.error.message}. Add the right key on the ${gateway.displayName} settings page` } };
}
