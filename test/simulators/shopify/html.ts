import { escapeHtml } from "./http-utils";

/**
 * Escaping by construction for the simulator's pages: every value interpolated into `html` is escaped
 * unless it is itself `SafeHtml`, so a form value or a shop name cannot inject markup by being forgotten.
 */
export class SafeHtml {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** `false`, `null` and `undefined` render nothing so `condition && html\`…\`` reads naturally. */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? "");
  });
  return new SafeHtml(text);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join("");
  if (value === false || value === null || value === undefined) return "";
  return escapeHtml(String(value));
}

/** A whole page: tiny inline style only, no external resources (the demo and tests run offline). */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} – Shopify simulator</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`.text;
}

const STYLE = new SafeHtml(
  [
    "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem;color:#1a1a1a}",
    "label{display:block;margin-top:.75rem}input,select{display:block;width:100%;padding:.4rem;box-sizing:border-box}",
    "input[type=checkbox]{display:inline;width:auto}.check label{display:inline}",
    ".error{color:#b00020}[role=alert]{border:1px solid #b00020;background:#fdecee;padding:.75rem;margin:1rem 0}",
    "[role=status]{border:1px solid #2e6b30;background:#eef7ee;padding:.75rem;margin:1rem 0}",
    "button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem}",
  ].join(""),
);

/** Path of a shop's simulated storefront; shop domains are plain, but encode anyway. */
export function storePath(shop: string): string {
  return `/__sim/store/${encodeURIComponent(shop)}`;
}
