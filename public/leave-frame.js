// The card 3-D Secure page may sit inside Shopify checkout's frame: going back to checkout
// must move the whole window, not load checkout inside the frame.
const link = document.querySelector("a[data-leave-frame]");
if (link) window.top.location.href = link.href;
