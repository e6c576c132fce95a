// The glue between a wallet gateway's widget and our form (app/payments/shopper-pages.server.ts,
// walletPage): when the widget says the shopper created a payment intent, post its id — and
// nothing else the widget said — to our server, which reads the intent itself. The event's name
// and the detail's field come from the page, so this file names no gateway.
const form = document.querySelector("form[data-wallet-form]");
if (form) {
  const eventName = form.getAttribute("data-intent-event");
  const field = form.getAttribute("data-intent-field");
  const status = document.getElementById("form-status");
  let sent = false;
  document.addEventListener(eventName, (event) => {
    const id = event.detail && typeof event.detail[field] === "string" ? event.detail[field] : "";
    if (sent || !id) return;
    sent = true;
    form.elements.namedItem("intentId").value = id;
    if (status) {
      status.classList.remove("problem");
      status.textContent = "Confirming your payment…";
    }
    form.submit();
  });
}
