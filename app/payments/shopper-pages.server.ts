/**
 * The shopper's pages, rendered on the server as plain HTML: fast on any phone, no
 * third-party resources, no inline script or style (a strict Content-Security-Policy),
 * and a form that works without JavaScript. Every value is escaped.
 */
import type { CardFieldName } from "../../public/card-checks.js";
import { config } from "~/lib/config.server";
import type { PaymentGateway, WalletWidget } from "~/payments/gateway/port";

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The amount as checkout shows it: the exact decimal, in the shopper's or merchant's locale. */
export function formatCheckoutAmount(amount: string, currency: string, locale: string | null): string {
  const format = (l: string | undefined) => new Intl.NumberFormat(l, { style: "currency", currency }).format(amount as unknown as number);
  try {
    return format(locale ?? undefined);
  } catch {
    return format("en");
  }
}

/**
 * The page's Content-Security-Policy: our own files only; forms may leave for checkout (https).
 * A wallet page also allows its gateway's widget origin, and only that, for the widget's script
 * and frames.
 */
export function contentSecurityPolicy(formTargets: string[] = [], widgetOrigins: readonly string[] = []): string {
  const widgets = widgetOrigins.length ? ` ${widgetOrigins.join(" ")}` : "";
  return [
    "default-src 'none'",
    `script-src 'self'${widgets}`,
    ...(widgetOrigins.length ? [`frame-src${widgets}`] : []),
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action 'self' https: ${formTargets.join(" ")}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** The page's last line: who processes the payment. */
export function processedByLine(gateway: Pick<PaymentGateway, "displayName" | "instrument">): string {
  return gateway.instrument === "wallet" ? `Paid from your ${gateway.displayName} wallet` : `Card payment processed securely by ${gateway.displayName}`;
}

export interface PageContext {
  shopName: string;
  amountText: string;
  cancelUrl: string | null;
  /** Who processes the payment, as the page's last line says it. */
  processedBy: string;
}

function layout(
  title: string,
  context: PageContext,
  body: string,
  { refreshSeconds, refresh, scripts = [] }: { refreshSeconds?: number; refresh?: { seconds: number; url: string }; scripts?: string[] } = {},
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ""}
${refresh ? `<meta http-equiv="refresh" content="${refresh.seconds};url=${escapeHtml(refresh.url)}">` : ""}
<title>${escapeHtml(title)} · ${escapeHtml(context.shopName)}</title>
<link rel="stylesheet" href="/pay.css">
${scripts.map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`).join("\n")}
</head>
<body>
<main class="card">
<header>
<p class="shop">${escapeHtml(context.shopName)}</p>
<p class="amount" data-testid="amount">${escapeHtml(context.amountText)}</p>
</header>
${body}
${context.cancelUrl ? `<p class="cancel"><a href="${escapeHtml(context.cancelUrl)}">Cancel and return to checkout</a></p>` : ""}
<p class="secure">${escapeHtml(context.processedBy)}</p>
</main>
</body>
</html>`;
}

function field(name: CardFieldName, label: string, input: string, error: string | undefined): string {
  return `<div class="field">
<label for="${name}">${escapeHtml(label)}</label>
${input.replace("<input ", `<input id="${name}" name="${name}" aria-describedby="${name}-error" aria-invalid="${error ? "true" : "false"}" `)}
<p class="error" id="${name}-error"${error ? "" : " hidden"}>${error ? escapeHtml(error) : ""}</p>
</div>`;
}

export interface CardFormView extends PageContext {
  actionUrl: string;
  errors?: Partial<Record<CardFieldName, string>>;
  message?: string;
  holderName?: string;
}

export function cardFormPage(view: CardFormView): string {
  const errors = view.errors ?? {};
  const summary = view.message ?? (Object.keys(errors).length ? "Please correct the highlighted fields." : "");
  return layout(
    "Pay by card",
    view,
    `<h1>Pay by card</h1>
<form method="post" action="${escapeHtml(view.actionUrl)}" data-card-form novalidate>
<p id="form-status" class="status${summary ? " problem" : ""}" role="alert" aria-live="assertive">${escapeHtml(summary)}</p>
${field("name", "Name on card", `<input type="text" autocomplete="cc-name" required maxlength="100" value="${escapeHtml(view.holderName ?? "")}">`, errors.name)}
${field("number", "Card number", `<input type="text" inputmode="numeric" autocomplete="cc-number" required maxlength="23">`, errors.number)}
<div class="row">
${field("expiry", "Expiration date (MM/YY)", `<input type="text" inputmode="numeric" autocomplete="cc-exp" placeholder="MM/YY" required maxlength="7">`, errors.expiry)}
${field("cvc", "Security code", `<input type="text" inputmode="numeric" autocomplete="cc-csc" required maxlength="4">`, errors.cvc)}
</div>
<button type="submit">Pay ${escapeHtml(view.amountText)}</button>
</form>`,
    { scripts: ["/pay.js"] },
  );
}

export interface WalletPageView extends PageContext {
  actionUrl: string;
  gatewayName: string;
  widget: WalletWidget;
  message?: string;
}

const CUSTOM_ELEMENT = /^[a-z][a-z0-9]*-[a-z0-9-]*$/;
const ATTRIBUTE_NAME = /^[a-z][a-z0-9-]*$/;

function attributes(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .filter(([name]) => ATTRIBUTE_NAME.test(name))
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join("");
}

/**
 * The gateway's widget, in which the shopper signs in and creates the payment. Our glue
 * (public/wallet-pay.js) hears the widget's event and posts only the new intent's id, in the
 * form below; the server reads the intent itself. The widget needs JavaScript, so the page
 * says so without it.
 */
export function walletPage(view: WalletPageView): string {
  const { widget } = view;
  if (!CUSTOM_ELEMENT.test(widget.element.tag)) throw new Error(`Not a custom element name: ${widget.element.tag}`);
  const title = `Pay with ${view.gatewayName}`;
  return layout(
    title,
    view,
    `<h1>${escapeHtml(title)}</h1>
<p id="form-status" class="status${view.message ? " problem" : ""}" role="alert" aria-live="assertive">${escapeHtml(view.message ?? "")}</p>
<form method="post" action="${escapeHtml(view.actionUrl)}" data-wallet-form data-intent-event="${escapeHtml(widget.intentCreatedEvent)}" data-intent-field="${escapeHtml(widget.intentIdField)}">
<input type="hidden" name="intentId" value="">
</form>
<${widget.element.tag}${attributes(widget.element.attributes)}></${widget.element.tag}>
<noscript><p class="status problem">${escapeHtml(view.gatewayName)} needs JavaScript to sign you in. Turn it on, or return to checkout to choose another way to pay.</p></noscript>
<script src="${escapeHtml(widget.scriptUrl)}"${attributes(widget.scriptAttributes)}></script>`,
    { scripts: ["/wallet-pay.js"] },
  );
}

/** A wallet session the shop cannot take right now (no credentials for its mode, an amount the gateway cannot take). */
export function walletUnavailablePage(context: PageContext, message: string): string {
  return layout("Payment unavailable", context, `<h1>Payment unavailable</h1>\n<p class="status problem" role="alert">${escapeHtml(message)}</p>`);
}

export function waitingPage(context: PageContext, title: string, text: string, refreshSeconds = 2): string {
  return layout(
    title,
    { ...context, cancelUrl: null },
    `<h1>${escapeHtml(title)}</h1>
<p class="status" role="status" aria-live="polite">${escapeHtml(text)}</p>
<p class="hint">This page refreshes by itself. Please do not close it.</p>`,
    { refreshSeconds },
  );
}

/**
 * Sends the browser to the card issuer's 3-D Secure page (GET challenge). The card form's
 * POST is answered with this page of ours, which then navigates: a redirect answering the form
 * post would be checked against the card page's `form-action`, and issuers' challenge pages
 * live on any https host. A refresh to the bank's URL is a plain navigation; without it (or
 * without meta refresh) the shopper follows the link.
 */
export function threeDsRedirectPage(context: PageContext, url: string): string {
  return layout(
    "Confirm with your bank",
    { ...context, cancelUrl: null },
    `<h1>Confirm with your bank</h1>
<p class="status" role="status">Taking you to your bank to confirm this payment…</p>
<p><a href="${escapeHtml(url)}" data-three-ds-redirect>Continue to your bank</a></p>`,
    { refresh: { seconds: 0, url } },
  );
}

/**
 * Where the shopper may be sent for 3-D Secure: an https page, or, outside production, an http
 * page on this machine (the local Accelebit sandbox). Anything else is not opened.
 */
export function bankUrlAllowed(url: string, production = config().NODE_ENV === "production"): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol === "https:") return true;
  return !production && parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname);
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The bank's challenge page was refused (bankUrlAllowed): say so, and offer the way back to checkout. */
export function bankUnavailablePage(context: PageContext): string {
  return layout(
    "Your bank's page could not be opened",
    context,
    `<h1>Your bank's page could not be opened</h1>
<p class="status problem" role="alert">Your bank's verification page is not on a secure connection, so we did not open it. No payment was taken. Return to checkout to choose another payment method, or try again later.</p>`,
  );
}

/** Sends the browser to the card issuer's 3-D Secure page with a POST form. */
export function threeDsPostPage(context: PageContext, url: string, parameters: Record<string, string>): string {
  const inputs = Object.entries(parameters)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  return layout(
    "Confirm with your bank",
    { ...context, cancelUrl: null },
    `<h1>Confirm with your bank</h1>
<form method="post" action="${escapeHtml(url)}" data-auto-submit>
${inputs}
<p class="status" role="status">Taking you to your bank to confirm this payment…</p>
<button type="submit">Continue</button>
</form>`,
    { scripts: ["/auto-submit.js"] },
  );
}

export function notFoundPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Payment not found</title><link rel="stylesheet" href="/pay.css"></head>
<body><main class="card"><h1>Payment not found</h1><p>This payment link is not valid. Return to the shop's checkout and try again.</p></main></body></html>`;
}

/**
 * Sends the shopper on to Shopify from a page that checkout may show inside a frame: the
 * whole window goes (target _top), not just the frame. A script does it at once; without
 * JavaScript the shopper presses Continue.
 */
export function leaveFramePage(context: PageContext, url: string): string {
  return layout(
    "Returning to checkout",
    { ...context, cancelUrl: null },
    `<h1>Returning to checkout</h1>
<p class="status" role="status">Taking you back to the shop's checkout…</p>
<p><a href="${escapeHtml(url)}" target="_top" data-leave-frame>Continue</a></p>`,
    { scripts: ["/leave-frame.js"] },
  );
}
