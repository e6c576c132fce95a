import { cardKeyringOptionsFromEnv, loadCardKeyring, type CardKeyring } from "~/card-decryption";
import { config, developmentFeaturesEnabled } from "~/lib/config.server";

let cached: CardKeyring | undefined;

/**
 * This process's card decryption keys (CARD_DECRYPTION_KEYS / _DIR / _TEST_FINGERPRINTS),
 * loaded once. Shopify's published TEST key is only accepted with NODE_ENV=development or test
 * (docs/decisions/production-by-default.md).
 * Throws CardKeyringError (naming variables, never values) when the configuration is unusable.
 */
export function cardKeyring(): CardKeyring {
  if (cached) return cached;
  const settings = config();
  const fromEnv = cardKeyringOptionsFromEnv({
    CARD_DECRYPTION_KEYS: settings.CARD_DECRYPTION_KEYS,
    CARD_DECRYPTION_KEYS_DIR: settings.CARD_DECRYPTION_KEYS_DIR,
    CARD_DECRYPTION_TEST_FINGERPRINTS: settings.CARD_DECRYPTION_TEST_FINGERPRINTS,
  });
  if (!fromEnv.ok) throw new Error(`Card decryption keys are misconfigured: ${fromEnv.problems.join("; ")}`);
  cached = loadCardKeyring({ ...fromEnv.options, allowShopifyTestKey: developmentFeaturesEnabled(settings) });
  return cached;
}
