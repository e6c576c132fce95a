/**
 * CSV for spreadsheets (RFC 4180): fields with a comma, quote or line break are quoted and
 * their quotes doubled. A field a spreadsheet would run as a formula (= + - @, or a tab or
 * carriage return that some programs strip before looking) gets a leading apostrophe first,
 * so a Shopify id or checkout group chosen by an attacker cannot become a formula in the
 * merchant's spreadsheet (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}
