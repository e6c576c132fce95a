/**
 * Magic phone numbers: the shopper "signs in" to the stand-in widget with one of these to pick
 * an outcome. Accrue publishes none; these are the sandbox's own (US 555-01xx numbers, which
 * are reserved for fiction). Any other number in E.164 form behaves like `approved`.
 */
export const MAGIC_PHONES = {
  /** Promotable intent; authorize, capture, cancel and refunds all succeed. */
  approved: "+12125550100",
  /** Wallet with a zero balance: authorize is declined with code insufficient_funds. */
  insufficientFunds: "+12125550101",
  /** Authorize is declined with code payment_declined. */
  declined: "+12125550102",
  /** The intent stays RequiresAction until cleared (sandbox.clearRequiredAction) or `requiresActionMs` passes. */
  requiresAction: "+12125550103",
  /** The intent carries error LinkedAccountUnverified and stays RequiresAction; authorize is refused. */
  linkedAccountUnverified: "+12125550104",
  /** Authorize succeeds; capture is refused with code capture_failed, the payment stays uncaptured. */
  captureFails: "+12125550105",
  /** Refunds are created Pending and end Failed. */
  refundFails: "+12125550106",
  /** Refunds are created Pending and never settle. */
  refundStuckPending: "+12125550107",
} as const;

export type PhoneOutcome = keyof typeof MAGIC_PHONES;

const BY_NUMBER = new Map<string, PhoneOutcome>(Object.entries(MAGIC_PHONES).map(([outcome, phone]) => [phone, outcome as PhoneOutcome]));

/** E.164: a plus and 8–15 digits. */
export const PHONE_FORM = /^\+[1-9]\d{7,14}$/;

export function outcomeForPhone(phoneNumber: string): PhoneOutcome {
  return BY_NUMBER.get(phoneNumber) ?? "approved";
}

/** Digits, spaces, dashes, dots and brackets are allowed as typed; a US number without +1 gets it. */
export function normalisePhone(typed: string): string | null {
  const compact = typed.replace(/[\s().-]/g, "");
  const withPlus = compact.startsWith("+") ? compact : /^\d{10}$/.test(compact) ? `+1${compact}` : `+${compact}`;
  return PHONE_FORM.test(withPlus) ? withPlus : null;
}
