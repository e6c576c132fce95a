// Card field checks shared by the shopper's browser (public/pay.js) and the server
// (app/payments/card-form.server.ts): one implementation, so both sides always agree.
// Plain ES module without dependencies; the browser loads it from our own origin.

/** Digits only: spaces and dashes people type are ignored. */
export function normalizeCardNumber(value) {
  return String(value ?? "").replace(/[\s-]/g, "");
}

/** The Luhn checksum every payment card number satisfies. */
export function passesLuhn(digits) {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** American Express cards (34, 37) have a four-digit security code; all others three. */
export function securityCodeLength(cardDigits) {
  return /^3[47]/.test(cardDigits) ? 4 : 3;
}

/**
 * "MM/YY" (or "MM / YY", "MMYY") → { month: "MM", year: "YY" } or null.
 * A card is valid through the last day of its expiry month.
 */
export function parseExpiry(value, now = new Date()) {
  const match = /^\s*(\d{2})\s*\/?\s*(\d{2})\s*$/.exec(String(value ?? ""));
  if (!match) return { error: "Enter the expiration date as MM/YY." };
  const month = Number(match[1]);
  if (month < 1 || month > 12) return { error: "Enter a month from 01 to 12." };
  const year = 2000 + Number(match[2]);
  const endOfMonth = Date.UTC(year, month, 1); // first instant after the expiry month
  if (endOfMonth <= now.getTime()) return { error: "This card has expired." };
  return { month: match[1], year: match[2] };
}

/**
 * Checks the four fields of the card form. Returns { errors } keyed by field name
 * (name, number, expiry, cvc), or { card } ready for the gateway.
 */
export function checkCardForm(fields, now = new Date()) {
  const errors = {};
  const name = String(fields.name ?? "").trim();
  if (!name) errors.name = "Enter the name shown on the card.";
  else if (name.length > 100) errors.name = "The name on the card is at most 100 characters.";

  const number = normalizeCardNumber(fields.number);
  if (!number) errors.number = "Enter the card number.";
  else if (!/^\d{13,19}$/.test(number) || !passesLuhn(number)) errors.number = "This card number is not valid. Check it and try again.";

  const expiry = parseExpiry(fields.expiry, now);
  if (expiry.error) errors.expiry = expiry.error;

  const cvc = String(fields.cvc ?? "").trim();
  const wanted = securityCodeLength(number);
  if (!new RegExp(`^\\d{${wanted}}$`).test(cvc)) errors.cvc = `Enter the ${wanted}-digit security code.`;

  if (Object.keys(errors).length) return { errors };
  return { card: { holderName: name, number, expiryMonth: expiry.month, expiryYear: expiry.year, cvv: cvc } };
}
