export interface CardFields {
  name?: unknown;
  number?: unknown;
  expiry?: unknown;
  cvc?: unknown;
}
export type CardFieldName = "name" | "number" | "expiry" | "cvc";
export interface CheckedCard {
  holderName: string;
  number: string;
  expiryMonth: string;
  expiryYear: string;
  cvv: string;
}
export function normalizeCardNumber(value: unknown): string;
export function passesLuhn(digits: string): boolean;
export function securityCodeLength(cardDigits: string): 3 | 4;
export function parseExpiry(value: unknown, now?: Date): { month: string; year: string; error?: undefined } | { error: string };
export function checkCardForm(
  fields: CardFields,
  now?: Date,
): { errors: Partial<Record<CardFieldName, string>>; card?: undefined } | { card: CheckedCard; errors?: undefined };
