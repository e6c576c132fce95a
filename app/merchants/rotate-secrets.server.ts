import { db } from "~/db.server";
import type { SecretBox } from "~/lib/secret-box";
import { secretContext } from "~/merchants/settings.server";
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

  for (const s of await db().shopSettings.findMany()) {
    const data = {
      testApiKeyCiphertext: reseal(s.testApiKeyCiphertext, secretContext(s.shopId, "test-key")),
      liveApiKeyCiphertext: reseal(s.liveApiKeyCiphertext, secretContext(s.shopId, "live-key")),
      webhookSecretCiphertext: reseal(s.webhookSecretCiphertext, secretContext(s.shopId, "webhook-secret")),
    };
    if (Object.values(data).some(Boolean)) await db().shopSettings.update({ where: { id: s.id }, data });
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
