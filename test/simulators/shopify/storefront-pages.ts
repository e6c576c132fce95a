import { html, page, storePath, type SafeHtml } from "./html";
import type { CheckoutFormErrors, CheckoutFormField, CheckoutFormValues } from "./storefront-form";

/**
 * HTML of the simulated storefront. Labels are tied to every control and errors are linked with
 * aria-describedby, so browser tests can use accessible locators (getByLabel, getByRole).
 */

export function storeListPage(shops: readonly string[], appPaymentSessionUrl: string | null): string {
  const list =
    shops.length === 0
      ? html`<p>No shops registered yet (POST /__sim/shops or SIM_SHOP).</p>`
      : html`<ul>
          ${shops.map((shop) => html`<li><a href="${storePath(shop)}">${shop}</a></li>`)}
        </ul>`;
  return page(
    "Stores",
    html`<h1>Stores</h1>
      ${list}${destination(appPaymentSessionUrl)}`,
  );
}

export function storeNotFoundPage(shop: string): string {
  return page(
    "Store not found",
    html`<h1>Store not found</h1>
      <p>No shop named <code>${shop}</code> is registered with the simulator. Register it first (POST /__sim/shops or SIM_SHOP).</p>
      <p><a href="/__sim/store">All stores</a></p>`,
  );
}

export function checkoutFormPage(
  shop: string,
  values: CheckoutFormValues,
  errors: CheckoutFormErrors,
  appPaymentSessionUrl: string | null,
  otherProviders: readonly string[] = [],
): string {
  const field = (name: CheckoutFormField, label: string, attributes: SafeHtml = html``) =>
    html`<label for="${name}">${label}</label>
      <input id="${name}" name="${name}" value="${String(values[name])}" ${attributes} ${errorAttributes(name, errors)} />
      ${errorMessage(name, errors)}`;
  const summary = Object.keys(errors).length > 0 && html`<div role="alert">Please correct the fields marked below.</div>`;
  return page(
    `Checkout – ${shop}`,
    html`<h1>Checkout</h1>
      <p>Store: <strong>${shop}</strong></p>
      ${summary}
      <form method="post" action="${storePath(shop)}/checkout" novalidate>
        <fieldset>
          <legend>Order</legend>
          ${field("amount", "Amount", html`inputmode="decimal"`)} ${field("currency", "Currency", html`maxlength="3"`)}
          <p class="check">
            <input type="checkbox" id="test" name="test" value="1" ${values.test && html`checked`} />
            <label for="test">Test mode</label>
          </p>
          <label for="kind">Kind</label>
          <select id="kind" name="kind" ${errorAttributes("kind", errors)}>
            <option value="sale" ${values.kind === "sale" && html`selected`}>Sale (charge now)</option>
            <option value="authorization" ${values.kind === "authorization" && html`selected`}>Authorization (capture later)</option>
          </select>
          ${errorMessage("kind", errors)}
        </fieldset>
        <fieldset>
          <legend>Contact and billing address</legend>
          ${field("email", "Email", html`type="email" autocomplete="email"`)} ${field("givenName", "First name", html`autocomplete="given-name"`)}
          ${field("familyName", "Last name", html`autocomplete="family-name"`)} ${field("line1", "Address", html`autocomplete="address-line1"`)}
          ${field("city", "City", html`autocomplete="address-level2"`)} ${field("postalCode", "Postal code", html`autocomplete="postal-code"`)}
          ${field("countryCode", "Country code", html`maxlength="2" autocomplete="country"`)}
        </fieldset>
        <button type="submit">Pay with Accelebit</button>
        ${otherProviders.map((name) => html`<button type="submit" name="provider" value="${name}">Pay with ${name}</button>`)}
      </form>
      ${destination(appPaymentSessionUrl)}`,
  );
}

/** Shown when the app (the payment provider) did not accept the payment session. */
export function paymentStartFailedPage(shop: string, detail: SafeHtml): string {
  return page(
    "Checkout",
    html`<h1>Checkout</h1>
      <div role="alert">
        <p>The payment provider could not start the payment.</p>
        ${detail}
      </div>
      <p><a href="${storePath(shop)}">Try again</a></p>`,
  );
}

/** Tells the person running the demo where "Pay" will send the session, or why it cannot. */
function destination(appPaymentSessionUrl: string | null): SafeHtml {
  return appPaymentSessionUrl === null
    ? html`<p><small>No app payment session URL is configured: set appPaymentSessionUrl or SIM_APP_PAYMENT_SESSION_URL.</small></p>`
    : html`<p>
        <small>Payment sessions go to <code>${appPaymentSessionUrl}</code>.</small>
      </p>`;
}

function errorAttributes(name: CheckoutFormField, errors: CheckoutFormErrors): SafeHtml | false {
  return errors[name] !== undefined && html`aria-invalid="true" aria-describedby="${name}-error"`;
}

function errorMessage(name: CheckoutFormField, errors: CheckoutFormErrors): SafeHtml | false {
  const message = errors[name];
  return message !== undefined && html`<p class="error" id="${name}-error">${message}</p>`;
}
