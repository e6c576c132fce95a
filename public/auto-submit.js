// Sends the 3-D Secure form to the card issuer's page as soon as it loads. Without
// JavaScript the shopper presses the visible Continue button instead.
document.querySelector("form[data-auto-submit]")?.submit();
