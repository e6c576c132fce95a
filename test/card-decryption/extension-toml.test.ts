/**
 * extensions/accelebit-card/shopify.extension.toml against the CLI rules for
 * payments.credit-card.render (reference §6.2–6.3, pitfall 15), so a deploy-time validation
 * failure shows up here first.
 */
import { readFileSync } from "node:fs";
// `toml` is already installed (a dependency of Remix's MDX tooling) and ships its own types.
import { parse } from "toml";
import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "~/shopify/api-version";

const FILE = "extensions/accelebit-card/shopify.extension.toml";
type Table = Record<string, unknown>;
const doc = parse(readFileSync(FILE, "utf8")) as Table;
const offsite = parse(readFileSync("extensions/accelebit-offsite/shopify.extension.toml", "utf8")) as Table;
const extensions = doc.extensions as Table[];
const ext = extensions[0] as Table;
const offsiteExt = (offsite.extensions as Table[])[0] as Table;

describe(FILE, () => {
  it("is one credit-card payments extension on the app's API version", () => {
    expect(doc.api_version).toBe(SHOPIFY_API_VERSION);
    expect(extensions).toHaveLength(1);
    expect(ext).toMatchObject({ type: "payments_extension", handle: "accelebit-card" });
    expect(ext.targeting).toEqual([{ target: "payments.credit-card.render" }]);
    expect(ext.handle).not.toBe(offsiteExt.handle);
  });

  it("has every URL the target requires, absolute, under /shopify/card/ on the offsite extension's host", () => {
    const host = new URL(String(offsiteExt.payment_session_url)).host;
    const urls = {
      payment_session_url: "payment",
      refund_session_url: "refund",
      capture_session_url: "capture",
      void_session_url: "void",
      confirmation_callback_url: "confirm",
    };
    for (const [key, last] of Object.entries(urls)) {
      expect(ext[key], key).toBe(`https://${host}/shopify/card/${last}`);
    }
  });

  it("has the required flags: 3-D Secure with a confirmation callback, supports_moto, no deferred payments", () => {
    expect(ext.supports_3ds).toBe(true);
    expect(typeof ext.confirmation_callback_url).toBe("string");
    expect(typeof ext.supports_moto).toBe("boolean");
    expect(ext.supports_installments).toBe(ext.supports_deferred_payments);
    expect(ext).toMatchObject({ supports_installments: false, supports_deferred_payments: false, multiple_capture: false, test_mode_available: true });
  });

  it("uses Shopify's TEST certificate (non-production) and has no keys the target does not know", () => {
    expect(ext.encryption_certificate_fingerprint).toBe("Test Certificate");
    expect(ext).not.toHaveProperty("buyer_label");
    expect(ext).not.toHaveProperty("buyer_label_translations");
    expect(String(ext.merchant_label).length).toBeLessThanOrEqual(50);
  });

  it("serves the same countries and card brands as the offsite extension", () => {
    expect(ext.supported_countries).toEqual(offsiteExt.supported_countries);
    expect(ext.supported_payment_methods).toEqual(offsiteExt.supported_payment_methods);
  });
});
