import type { ShopifyCustomer } from "./session-requests";
import type { PaymentKind } from "./store";

/**
 * The simulated storefront's checkout form: what the buyer can set, its defaults and its validation.
 * Validation is as strict as Shopify's checkout so the app only ever receives amounts and currencies
 * shaped like Shopify's (reference §2.2): a dot decimal string and an ISO 4217 code.
 */

export interface CheckoutFormValues {
  amount: string;
  currency: string;
  test: boolean;
  kind: string;
  email: string;
  givenName: string;
  familyName: string;
  line1: string;
  city: string;
  postalCode: string;
  countryCode: string;
}

export type CheckoutFormField = keyof CheckoutFormValues;
export type CheckoutFormErrors = Partial<Record<CheckoutFormField, string>>;

/** What the form contributes to a payment session request. */
export interface CheckoutOrder {
  amount: string;
  currency: string;
  test: boolean;
  kind: PaymentKind;
  customer: ShopifyCustomer;
}

export type CheckoutFormResult = { ok: true; order: CheckoutOrder } | { ok: false; errors: CheckoutFormErrors };

/** A plausible buyer, so the demo is one click. */
export const DEFAULT_CHECKOUT_FORM: Readonly<CheckoutFormValues> = {
  amount: "49.99",
  currency: "EUR",
  test: true,
  kind: "sale",
  email: "alice.smith@example.com",
  givenName: "Alice",
  familyName: "Smith",
  line1: "123 Street",
  city: "Valletta",
  postalCode: "VLT 1010",
  countryCode: "MT",
};

const TEXT_FIELDS = ["amount", "currency", "kind", "email", "givenName", "familyName", "line1", "city", "postalCode", "countryCode"] as const;

/** Twelve integer digits cover any real order; at most three decimals (e.g. KWD, BHD). */
const AMOUNT = /^\d{1,12}(\.\d{1,3})?$/;
const CURRENCY = /^[A-Za-z]{3}$/;
const COUNTRY_CODE = /^[A-Za-z]{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_TEXT_LENGTH = 255;

/**
 * Reads an `application/x-www-form-urlencoded` body. A missing text field reads as empty; the test
 * checkbox reads as unchecked when absent, because browsers leave unchecked boxes out.
 */
export function readCheckoutForm(body: string): CheckoutFormValues {
  const form = new URLSearchParams(body);
  const values = { ...DEFAULT_CHECKOUT_FORM, test: form.has("test") };
  for (const field of TEXT_FIELDS) values[field] = (form.get(field) ?? "").trim();
  return values;
}

export function validateCheckoutForm(values: CheckoutFormValues): CheckoutFormResult {
  const errors: CheckoutFormErrors = {};
  if (!AMOUNT.test(values.amount)) errors.amount = "Enter the amount with a dot as decimal separator and at most 3 decimals, e.g. 49.99.";
  else if (Number(values.amount) === 0) errors.amount = "The amount must be greater than zero.";
  if (!CURRENCY.test(values.currency)) errors.currency = "Enter a 3-letter ISO currency code, e.g. EUR.";
  if (values.kind !== "sale" && values.kind !== "authorization") errors.kind = "Choose sale or authorization.";
  if (values.email !== "" && !EMAIL.test(values.email)) errors.email = "Enter a valid email address, or leave it empty.";
  if (values.familyName === "") errors.familyName = "Enter a last name.";
  if (values.line1 === "") errors.line1 = "Enter an address.";
  if (values.city === "") errors.city = "Enter a city.";
  if (!COUNTRY_CODE.test(values.countryCode)) errors.countryCode = "Enter a 2-letter country code, e.g. MT.";
  for (const field of TEXT_FIELDS) {
    if (values[field].length > MAX_TEXT_LENGTH) errors[field] = `Keep this under ${MAX_TEXT_LENGTH} characters.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  return {
    ok: true,
    order: {
      amount: values.amount,
      // Shopify sends upper-case codes; accept "eur" from a hurried tester rather than refuse it.
      currency: values.currency.toUpperCase(),
      test: values.test,
      kind: values.kind as PaymentKind,
      customer: customerFrom(values),
    },
  };
}

/** Shopify sends optional address fields only when the buyer gave them; shipping defaults to billing. */
function customerFrom(values: CheckoutFormValues): ShopifyCustomer {
  const address = {
    ...(values.givenName === "" ? {} : { given_name: values.givenName }),
    family_name: values.familyName,
    line1: values.line1,
    city: values.city,
    ...(values.postalCode === "" ? {} : { postal_code: values.postalCode }),
    country_code: values.countryCode.toUpperCase(),
  };
  return {
    ...(values.email === "" ? {} : { email: values.email }),
    locale: "en",
    billing_address: address,
    shipping_address: { ...address },
  };
}
