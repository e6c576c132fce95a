/** The credit-card extension's refund_session_url: the same handling as the offsite extension's. */
export { action, loader } from "~/routes/shopify.refund";
