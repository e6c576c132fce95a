/**
 * Decision "undocumented field names": the vendor's reference describes these five request
 * fields but never prints their names. These are our best guesses; correct them here, and
 * only here, once the real names are known (the request builder reads this table).
 */
export const UNDOCUMENTED_WIRE_FIELD_NAMES = {
  /** billing: the customer's IPv4 address (else Accelebit uses OUR server's IP). */
  buyerIp: "ip",
  /** billing: YYYY-MM-DD, required by some providers (Everest). */
  dateOfBirth: "dateOfBirth",
  /** billing: "M" / "F", required by some providers. */
  gender: "gender",
  /** top level: at most 128 characters, forwarded for fraud scoring. */
  deviceFingerprint: "deviceFingerprint",
  /** top level: UUID of a stored card when paymentMethod = stored_card. */
  storedCardId: "storedCardId",
} as const;
