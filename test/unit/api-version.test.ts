import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "~/shopify/api-version";

describe("one Shopify API version everywhere", () => {
  it.each([
    "shopify.app.toml",
    "extensions/accelebit-offsite/shopify.extension.toml",
    "extensions/accelebit-card/shopify.extension.toml",
    "extensions/accrue-offsite/shopify.extension.toml",
  ])("%s uses SHOPIFY_API_VERSION", (file) => {
    const versions = [...readFileSync(file, "utf8").matchAll(/api_version\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions)).toEqual(new Set([SHOPIFY_API_VERSION]));
  });

  it("the extension's session URLs are absolute and it is a non-embedded offsite payments extension", () => {
    const toml = readFileSync("extensions/accelebit-offsite/shopify.extension.toml", "utf8");
    for (const key of ["payment_session_url", "refund_session_url", "capture_session_url", "void_session_url"]) {
      expect(toml).toMatch(new RegExp(`^${key} = "https://[^"/]+/shopify/`, "m"));
    }
    expect(toml).toMatch(/^target = "payments.offsite.render"$/m);
    expect(toml).toMatch(/^test_mode_available = true$/m);
    expect(readFileSync("shopify.app.toml", "utf8")).toMatch(/^embedded = false$/m);
  });
});
