/**
 * extensions/accrue-offsite/shopify.extension.toml: an offsite payments extension whose session
 * URLs reach the Accrue routes (/shopify/accrue/…) on the same host as the Accelebit one, and
 * whose capabilities say what ACCRUE_CAPABILITIES say (docs/decisions/accrue-a04-usd-only.md,
 * accrue-a06-capture-and-void.md).
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "toml";
import { describe, expect, it } from "vitest";
import { ACCRUE_CAPABILITIES } from "~/accrue/payment-gateway";

type Table = Record<string, unknown>;
const read = (file: string) => ((parse(readFileSync(file, "utf8")) as Table).extensions as Table[])[0] as Table;
const accrue = read("extensions/accrue-offsite/shopify.extension.toml");
const accelebit = read("extensions/accelebit-offsite/shopify.extension.toml");

describe("the Accrue offsite extension", () => {
  it("is its own offsite payments extension", () => {
    expect(accrue).toMatchObject({ type: "payments_extension", handle: "accrue-offsite", merchant_label: "Accrue", test_mode_available: true });
    expect(accrue.targeting).toEqual([{ target: "payments.offsite.render" }]);
    expect(accrue.handle).not.toBe(accelebit.handle);
    expect(String(accrue.buyer_label)).not.toBe("");
  });

  it("sends every session to an Accrue route that exists", () => {
    const host = new URL(String(accelebit.payment_session_url)).host;
    for (const kind of ["payment", "refund", "capture", "void"]) {
      expect(accrue[`${kind}_session_url`], kind).toBe(`https://${host}/shopify/accrue/${kind}`);
      expect(existsSync(`app/routes/shopify.accrue.${kind}.tsx`), kind).toBe(true);
    }
  });

  it("offers US dollars in the US only, sale and authorization with one capture, no 3-D Secure", () => {
    expect(accrue.supported_countries).toEqual(["US"]);
    expect(accrue.supported_buyer_contexts).toEqual([{ currency: "USD" }]);
    expect(accrue).toMatchObject({ supports_3ds: ACCRUE_CAPABILITIES.threeDSecure, multiple_capture: false });
    expect(accrue.supports_deferred_payments).toBe(accrue.supports_installments);
  });
});
