/** The credit-card extension's void_session_url: the same handling as the offsite extension's. */
export { action, loader } from "~/routes/shopify.void";
