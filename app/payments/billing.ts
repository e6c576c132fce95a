import { isIPv4 } from "node:net";
import type { Billing } from "~/payments/gateway/port";
import type { ShopifyAddress } from "~/payments/session-request";

const present = (v: string | null | undefined) => (v && v.trim() ? v.trim() : undefined);

/**
 * The buyer's IPv4 address for the gateway's fraud scoring (IPv4-mapped IPv6 is unwrapped).
 * Null for a pure IPv6 address, which a card gateway's IPv4 field cannot carry.
 */
export function buyerIpv4(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const unwrapped = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return isIPv4(unwrapped) ? unwrapped : null;
}

/** The billing details of the customer Shopify sent with the session. */
export function billingFor(customer: { email: string | null; phone: string | null; billingAddress: string | null }, holderName: string): Billing {
  const address: ShopifyAddress | null = customer.billingAddress ? JSON.parse(customer.billingAddress) : null;
  const [first, ...rest] = holderName.trim().split(/\s+/);
  const country = present(address?.country_code)?.toUpperCase();
  const phone = present(customer.phone);
  return {
    firstName: present(address?.given_name) ?? first,
    lastName: present(address?.family_name) ?? (rest.length ? rest.join(" ") : undefined),
    email: present(customer.email),
    // Shorter than 5 characters with the country code is no phone number: left out.
    phone: phone && phone.length >= 5 ? phone : undefined,
    country,
    address: [present(address?.line1), present(address?.line2)].filter(Boolean).join(", ") || undefined,
    city: present(address?.city),
    postalCode: present(address?.postal_code),
    state: present(address?.province_code) ?? present(address?.province),
  };
}

/** Brand from the card number's leading digits, for display and the timeline (never the number). */
export function cardBrand(number: string): string {
  if (/^4/.test(number)) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(number)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  if (/^(6011|65|64[4-9])/.test(number)) return "discover";
  if (/^(50|5[6-9]|6)/.test(number)) return "maestro";
  return "card";
}
