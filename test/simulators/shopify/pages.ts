import type { ServerResponse } from "node:http";
import { escapeHtml, sendHtml } from "./http-utils";
import type { PaymentSessionRecord, SimulatorStore } from "./store";

/**
 * Stand-ins for the Shopify pages a buyer reaches through `nextAction` redirect URLs and `cancel_url`.
 * Only their headings and messages matter: end-to-end tests look for them.
 */

/** `/__sim/orders/:id`: the order status ("Thank you") page after resolve or pending. */
export function serveOrderStatusPage(response: ServerResponse, store: SimulatorStore, id: string): void {
  const payment = store.paymentById(id);
  if (payment === undefined || (payment.status !== "resolved" && payment.status !== "pending")) {
    return sendHtml(response, 404, page("Order not found", "<h1>Order not found</h1>"));
  }
  const message =
    payment.status === "pending"
      ? "<p>Your payment is being processed. You will receive a confirmation when it completes.</p>"
      : "<p>Your order is confirmed.</p>";
  sendHtml(response, 200, page("Thank you", `<h1>Thank you!</h1>${message}${amountLine(payment)}`));
}

/** `/__sim/checkout/:id`: the checkout the buyer returns to; shows the error after a reject. */
export function serveCheckoutPage(response: ServerResponse, store: SimulatorStore, id: string): void {
  const payment = store.paymentById(id);
  if (payment === undefined) return sendHtml(response, 404, page("Checkout not found", "<h1>Checkout not found</h1>"));
  const error = payment.status === "rejected" ? `<div role="alert">Your payment couldn't be processed. Try again or use a different payment method.</div>` : "";
  sendHtml(response, 200, page("Checkout", `<h1>Checkout</h1>${error}${amountLine(payment)}`));
}

function amountLine(payment: PaymentSessionRecord): string {
  return `<p>Total: <span data-testid="amount">${escapeHtml(payment.amount)} ${escapeHtml(payment.currency)}</span></p>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} – Shopify simulator</title></head><body>${body}</body></html>`;
}
