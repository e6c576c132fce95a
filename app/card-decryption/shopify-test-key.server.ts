/**
 * Shopify's published TEST key pair for credit-card payments extensions
 * (docs/decisions/card-decryption-scheme.md).
 *
 * With `encryption_certificate_fingerprint = "Test Certificate"` Shopify encrypts a static test
 * payload to this key. The private key is public knowledge, so anything encrypted to it is not
 * secret: the keyring only accepts it when the caller allows it (non-production), and refuses it
 * outright under any fingerprint otherwise (see keyring.server.ts).
 */

/** The TEST private key, exactly as Shopify publishes it (P-256, SEC1 "EC PRIVATE KEY"). */
export const SHOPIFY_TEST_PRIVATE_KEY_PEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIPdk1Yrjq9UNZBPRFfY2/JFiNXVWbKNwkhqADTm46XUyoAoGCCqGSM49
AwEHoUQDQgAEPwwyTcNvVwInu9COj3WZooI+Aj1/KRolD6u7XmjpuBXlHq2nopJh
qkKwdrnUzWjkiJuY1qrUucT2mH+VkUGBSA==
-----END EC PRIVATE KEY-----
`;

/** Its public key (derived from the private key). Used by tests and the Shopify simulator to encrypt. */
export const SHOPIFY_TEST_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPwwyTcNvVwInu9COj3WZooI+Aj1/
KRolD6u7XmjpuBXlHq2nopJhqkKwdrnUzWjkiJuY1qrUucT2mH+VkUGBSA==
-----END PUBLIC KEY-----
`;

/**
 * Fingerprints under which the TEST key is registered when it is allowed.
 *
 * A gap in what Shopify publishes: neither the test payload nor the full test certificate
 * (hence its SHA-256 fingerprint) is available, so the value Shopify puts in
 * `payment_method.data.fingerprint` for test payloads is unknown. We accept the literal
 * "Test Certificate" (the value configured in the TOML). Once the first test request from a
 * development store shows the real value, pass it in `loadCardKeyring({ shopifyTestKeyFingerprints })`
 * (proposed env var CARD_DECRYPTION_TEST_FINGERPRINTS) or add it here.
 */
export const SHOPIFY_TEST_KEY_FINGERPRINTS: readonly string[] = ["Test Certificate"];
