// npm run secrets:rotate — re-encrypt every stored secret with the current ENCRYPTION_KEY
// (old keys listed in ENCRYPTION_KEYS_PREVIOUS). Safe to interrupt and run again.
import { db } from "../app/db.server";
import { secretBox } from "../app/lib/secret-box.server";
import { rotateSecrets } from "../app/merchants/rotate-secrets.server";

try {
  const { rotated } = await rotateSecrets(secretBox());
  console.log(`re-encrypted ${rotated} secret(s) with key ${secretBox().currentKeyId}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db().$disconnect();
}
