/**
 * The stand-in Accrue widget, served from the sandbox's own origin.
 *
 * An embedding page loads the script and places the element:
 *   <script src="{sandbox}/main.js" data-script="accrue-pay" data-client-id="{Client ID}"></script>
 *   <accrue-pay flow="wallet" amount="1999" reference="{opaque session token}"></accrue-pay>
 * The script defines `window.accruePay` (onSignIn, onPaymentIntentStart, and our
 * onPaymentIntentCreated / onCancel), fires `AccruePay::Ready` on window and document, and
 * renders an iframe with the sign-in page. When the shopper has paid, the iframe posts the new
 * intent's id to the embedding page (postMessage to the page's origin only); the script checks
 * the message came from the sandbox origin and calls the callbacks with
 *   { paymentIntentId, reference, walletId, amount }
 * and dispatches the same detail as an `accrue-pay:payment-intent-created` event on the element.
 */
import { escapeHtml } from "../accelebit/http";

export const WIDGET_SCRIPT_PATH = "/main.js";
export const WIDGET_PAGE_PATH = "/widget";

export const WIDGET_SCRIPT = `(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[data-script="accrue-pay"]');
  if (!script) return;
  var origin = new URL(script.src, window.location.href).origin;
  var clientId = script.getAttribute("data-client-id") || "";
  var handlers = { signIn: [], paymentIntentStart: [], paymentIntentCreated: [], cancel: [] };
  var on = function (name) { return function (callback) { if (typeof callback === "function") handlers[name].push(callback); }; };
  window.accruePay = {
    onSignIn: on("signIn"),
    onPaymentIntentStart: on("paymentIntentStart"),
    onPaymentIntentCreated: on("paymentIntentCreated"),
    onCancel: on("cancel")
  };
  var messages = {
    "accrue-pay:sign-in": "signIn",
    "accrue-pay:payment-intent-start": "paymentIntentStart",
    "accrue-pay:payment-intent-created": "paymentIntentCreated",
    "accrue-pay:cancel": "cancel"
  };
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || typeof event.data.type !== "string") return;
    var name = messages[event.data.type];
    if (!name) return;
    var detail = event.data.payload || {};
    handlers[name].forEach(function (callback) { callback(detail); });
    document.querySelectorAll("accrue-pay").forEach(function (element) {
      element.dispatchEvent(new CustomEvent(event.data.type, { detail: detail, bubbles: true }));
    });
  });
  if (!window.customElements.get("accrue-pay")) {
    window.customElements.define("accrue-pay", class extends HTMLElement {
      connectedCallback() {
        if (this.querySelector("iframe")) return;
        var params = new URLSearchParams({
          clientId: clientId,
          amount: this.getAttribute("amount") || "",
          reference: this.getAttribute("reference") || "",
          flow: this.getAttribute("flow") || "wallet",
          parentOrigin: window.location.origin
        });
        var frame = document.createElement("iframe");
        frame.src = origin + "${WIDGET_PAGE_PATH}?" + params.toString();
        frame.title = "Accrue Pay";
        frame.style.width = "100%";
        frame.style.minHeight = "320px";
        frame.style.border = "0";
        this.appendChild(frame);
      }
    });
  }
  var ready = function (target) { target.dispatchEvent(new CustomEvent("AccruePay::Ready")); };
  ready(window);
  ready(document);
})();
`;

export interface WidgetContext {
  clientId: string;
  amount: number;
  reference: string;
  flow: string;
  parentOrigin: string;
}

function dollars(cents: number): string {
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function hiddenFields(context: WidgetContext, extra: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    clientId: context.clientId,
    amount: String(context.amount),
    reference: context.reference,
    flow: context.flow,
    parentOrigin: context.parentOrigin,
    ...extra,
  };
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
}

function page(title: string, body: string, message?: { type: string; payload: Record<string, unknown>; targetOrigin: string }[]): string {
  const script = message
    ? `<script>(function(){var m=${JSON.stringify(message).replace(/</g, "\\u003c")};m.forEach(function(x){window.parent.postMessage({type:x.type,payload:x.payload},x.targetOrigin);});})();</script>`
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:16px;color:#1a1a1a}button{padding:8px 16px;margin-right:8px}.muted{color:#666}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}${script}</body></html>`;
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<p>${escapeHtml(detail)}</p>`);
}

export function signInPage(context: WidgetContext, merchantName: string, problem?: string): string {
  return page(
    "Pay with Accrue",
    `<p>${escapeHtml(merchantName)} · <strong>${dollars(context.amount)}</strong></p>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ""}
<form method="post" action="${WIDGET_PAGE_PATH}/sign-in">${hiddenFields(context)}
<label>Phone number <input name="phoneNumber" type="tel" autocomplete="tel" required></label>
<button type="submit">Sign in</button></form>
<p class="muted">Sandbox: any phone number signs in; the README lists the magic numbers.</p>`,
  );
}

export function walletPage(context: WidgetContext, signedIn: { phoneNumber: string; userId: string; walletId: string; available: number }): string {
  const payload = { userId: signedIn.userId, walletId: signedIn.walletId };
  return page(
    "Pay with Accrue",
    `<p>Signed in as ${escapeHtml(signedIn.phoneNumber)}. Wallet balance: <strong>${dollars(signedIn.available)}</strong></p>
<form method="post" action="${WIDGET_PAGE_PATH}/pay">${hiddenFields(context, { phoneNumber: signedIn.phoneNumber })}
<button type="submit" name="action" value="pay">Pay ${dollars(context.amount)}</button>
<button type="submit" name="action" value="cancel">Cancel</button></form>`,
    [{ type: "accrue-pay:sign-in", payload, targetOrigin: context.parentOrigin }],
  );
}

export function intentCreatedPage(context: WidgetContext, intent: { id: string; reference: string | null; walletId: string; amount: number }): string {
  const start = { walletId: intent.walletId, amount: intent.amount };
  const created = { paymentIntentId: intent.id, reference: intent.reference, walletId: intent.walletId, amount: intent.amount };
  return page(
    "Payment started",
    `<p>Finishing your payment with the merchant…</p><p class="muted" data-payment-intent-id="${escapeHtml(intent.id)}">Intent ${escapeHtml(intent.id)}</p>`,
    [
      { type: "accrue-pay:payment-intent-start", payload: start, targetOrigin: context.parentOrigin },
      { type: "accrue-pay:payment-intent-created", payload: created, targetOrigin: context.parentOrigin },
    ],
  );
}

export function canceledPage(context: WidgetContext): string {
  return page("Payment canceled", "<p>You canceled the payment.</p>", [{ type: "accrue-pay:cancel", payload: {}, targetOrigin: context.parentOrigin }]);
}

/** The widget's parameters from a query string or a posted form; null when one is unusable. */
export function readWidgetContext(fields: Record<string, string | undefined>): WidgetContext | { problem: string } {
  const amount = Number(fields.amount);
  if (!/^\d+$/.test(fields.amount ?? "") || !Number.isSafeInteger(amount) || amount <= 0) return { problem: "amount must be a positive whole number of cents" };
  let parentOrigin: string;
  try {
    parentOrigin = new URL(fields.parentOrigin ?? "").origin;
  } catch {
    return { problem: "parentOrigin must be the embedding page's origin" };
  }
  if (parentOrigin === "null") return { problem: "parentOrigin must be the embedding page's origin" };
  return { clientId: fields.clientId ?? "", amount, reference: fields.reference ?? "", flow: fields.flow === "bank" ? "bank" : "wallet", parentOrigin };
}
