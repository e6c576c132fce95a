/**
 * Magic test card numbers (all Luhn-valid) and the outcome each selects. Any other card of a
 * valid shape is captured, like the seeds' own example card 4111111111111111.
 * Keep the table in the README in step with this one.
 */
export type CardOutcome = "captured" | "declined" | "three_ds_get" | "three_ds_post" | "provider_error" | "provider_error_once" | "authorized";

export const MAGIC_CARDS: Readonly<Record<string, CardOutcome>> = {
  "4242424242424242": "captured",
  "4000000000000002": "declined",
  "4000000000003220": "three_ds_get",
  "4000000000003063": "three_ds_post",
  "4000000000000119": "provider_error",
  "4000000000000259": "provider_error_once",
  "4000000000000077": "authorized",
};

export function outcomeForCard(number: string | undefined): CardOutcome {
  return (number !== undefined ? MAGIC_CARDS[number] : undefined) ?? "captured";
}
