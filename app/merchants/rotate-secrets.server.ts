import { db } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { credentialContext, webhookSecretContext } from "~/merchants/credentials.server";
import type { GatewayId, GatewayMode } from "~/payments/gateway/port";
import { cardPayloadContext } from "~/payments/card/charge.server";
import { context as sessionTokenContext } from "~/shopify/encrypted-session-storage";

/**
 * Re-encrypts every stored secret with the current ENCRYPTION_KEY. Run after putting the
 * new key in ENCRYPTION_KEY and the old one in ENCRYPTION_KEYS_PREVIOUS; once it reports
 * zero remaining, the old key can be dropped. Each row is rewritten on its own, so the
 * command can be interrupted and run again.
 */
export async function rotateSecrets(box: SecretBox): Promise<{ rotated: number }> {
  let rotated = 0;
  const reseal = (ciphertext: string | null, context: string) => {
    if (!ciphertext || !box.needsRotation(ciphertext)) return undefined;
    rotated++;
    return box.encrypt(box.decrypt(ciphertext, context), context);
  };

  for (const c of await db().gatewayCredential.findMany()) {
    const secretCiphertext = reseal(c.secretCiphertext, credentialContext(c.shopId, c.gateway as GatewayId, c.mode as GatewayMode));
    if (secretCiphertext) await db().gatewayCredential.update({ where: { id: c.id }, data: { secretCiphertext } });
  }
  for (const g of await db().shopGateway.findMany({ where: { webhookSecretCiphertext: { not: null } } })) {
    const webhookSecretCiphertext = reseal(g.webhookSecretCiphertext, webhookSecretContext(g.shopId, g.gateway as GatewayId));
    if (webhookSecretCiphertext) await db().shopGateway.update({ where: { id: g.id }, data: { webhookSecretCiphertext } });
  }
  // Shopify tokens, sealed by EncryptedSessionStorage.
  for (const s of await db().session.findMany({ select: { id: true, accessToken: true, refreshToken: true } })) {
    const data = {
      accessToken: reseal(s.accessToken, sessionTokenContext(s.id, "access")),
      refreshToken: reseal(s.refreshToken, sessionTokenContext(s.id, "refresh")),
    };
    if (Object.values(data).some(Boolean)) await db().session.update({ where: { id: s.id }, data });
  }
  // Sealed cards of credit-card sessions still waiting for their charge (docs/decisions/0006-card-payload-lifetime.md).
  for (const c of await db().cardPayload.findMany({ select: { paymentSessionId: true, ciphertext: true } })) {
    const ciphertext = reseal(c.ciphertext, cardPayloadContext(c.paymentSessionId));
    // A charge that finished meanwhile deleted the row: nothing to rewrite.
    if (ciphertext) await db().cardPayload.updateMany({ where: { paymentSessionId: c.paymentSessionId }, data: { ciphertext } });
  }
  return { rotated };
}
