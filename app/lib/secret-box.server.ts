import { config, decodeKey } from "~/lib/config.server";
import { SecretBox } from "~/lib/secret-box";

let box: SecretBox | undefined;

/** The SecretBox built from ENCRYPTION_KEY (and ENCRYPTION_KEYS_PREVIOUS during a rotation). */
export function secretBox(): SecretBox {
  if (!box) {
    const { ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS } = config();
    box = new SecretBox(
      decodeKey(ENCRYPTION_KEY)!,
      ENCRYPTION_KEYS_PREVIOUS.map((k) => decodeKey(k)!),
    );
  }
  return box;
}
