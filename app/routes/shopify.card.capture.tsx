/** The credit-card extension's capture_session_url: the same handling as the offsite extension's. */
export { action, loader } from "~/routes/shopify.capture";
