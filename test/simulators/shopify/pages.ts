import type { ServerResponse } from "node:http";
import { html, page, storePath, type SafeHtml } from "./html";
import { sendHtml } from "./http-utils";
import type { PaymentSessionRecord, SimulatorStore } from "./store";

/**
 * Stand-ins for the Shopify pages a buyer reaches through `nextAction` redirect URLs and `cancel_url`.
 * Their headings and messages are what people in the demo and end-to-end tests look for, so keep the
 * wording stable: "Thank you for your order", "Your payment could not be processed", "Payment cancelled".
 */

/** `/__sim/orders/:id`: the order status ("Thank you") page after resolve or pending. */
export function serveOrderStatusPage(response: ServerResponse, store: SimulatorStore, id: string): void {
  const payment = store.paymentById(id);
  if (payment === undefined || (payment.status !== "resolved" && payment.status !== "pending")) {
    return sendHtml(response, 404, page("Order not found", html`<h1>Order not found</h1>`));
  }
  const message =
    payment.status === "pending"
      ? html`<p role="status">Your payment is being processed. You will receive a confirmation when it completes.</p>`
      : html`<p role="status">Your order is confirmed.</p>`;
  sendHtml(
    response,
    200,
    page(
      "Thank you for your order",
      html`<h1>Thank you for your order</h1>
        ${message}${paymentSummary(payment)}`,
    ),
  );
}

export interface CheckoutPageOptions {
  /** The buyer came back through `cancel_url` (the simulator adds `?cancelled=1` to it). */
  cancelled: boolean;
}

/** `/__sim/checkout/:id`: the checkout the buyer returns to; shows the error after a reject, a notice after a cancel. */
export function serveCheckoutPage(response: ServerResponse, store: SimulatorStore, id: string, options: CheckoutPageOptions): void {
  const payment = store.paymentById(id);
  if (payment === undefined) return sendHtml(response, 404, page("Checkout not found", html`<h1>Checkout not found</h1>`));
  sendHtml(
    response,
    200,
    page(
      "Checkout",
      html`<h1>Checkout</h1>
        ${checkoutNotice(payment, options)}${paymentSummary(payment)}`,
    ),
  );
}

/** A reject wins over `cancelled`: after a reject Shopify shows the error whichever way the buyer came back. */
function checkoutNotice(payment: PaymentSessionRecord, { cancelled }: CheckoutPageOptions): SafeHtml | false {
  if (payment.status === "rejected") {
    return html`<div role="alert">
        <p>Your payment could not be processed.</p>
        <p>Reason: <code data-testid="reject-reason">${payment.rejection?.reason ?? "UNKNOWN"}</code></p>
      </div>
      <p><a href="${storePath(payment.shop)}">Try again</a></p>`;
  }
  return (
    cancelled &&
    html`<div role="status">Payment cancelled. Choose a payment method.</div>
      <p><a href="${storePath(payment.shop)}">Choose another payment method</a></p>`
  );
}

function paymentSummary(payment: PaymentSessionRecord): SafeHtml {
  return html`<p>Total: <span data-testid="amount">${payment.amount} ${payment.currency}</span>${payment.test && " (test mode)"}</p>
    <p>Payment session: <code data-testid="payment-session-id">${payment.id}</code></p>
    <p>Store: ${payment.shop}</p>`;
}
