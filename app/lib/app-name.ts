/** The product's name, as merchants see it in messages (not a gateway's). */
export const APP_NAME = "Accelebit for Shopify";
