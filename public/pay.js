// Client-side checks on the card page: the same rules the server applies
// (card-checks.js), shown before a round trip. The form works without this script.
import { checkCardForm } from "./card-checks.js";

const form = document.querySelector("form[data-card-form]");
if (form) {
  const fields = ["name", "number", "expiry", "cvc"];
  const status = document.getElementById("form-status");

  form.addEventListener("submit", (event) => {
    const data = new FormData(form);
    const result = checkCardForm(Object.fromEntries(fields.map((f) => [f, data.get(f)])));
    for (const field of fields) {
      const input = form.elements.namedItem(field);
      const message = document.getElementById(`${field}-error`);
      const error = result.errors?.[field];
      input.setAttribute("aria-invalid", error ? "true" : "false");
      message.textContent = error ?? "";
      message.hidden = !error;
    }
    if (result.errors) {
      event.preventDefault();
      status.textContent = "Please correct the highlighted fields.";
      form.elements.namedItem(fields.find((f) => result.errors[f])).focus();
      return;
    }
    // One submission only: a double click must not send the card twice (the server also guards).
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    const button = form.querySelector("button[type=submit]");
    button.setAttribute("aria-disabled", "true");
    status.textContent = "Processing your payment…";
  });
}
