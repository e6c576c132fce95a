/**
 * Standalone Shopify simulator for the local demo and black-box tests:
 *   npx tsx test/simulators/shopify/main.ts
 * Env: PORT (default 4020), HOST (default 127.0.0.1), SIM_PUBLIC_URL (origin browsers use),
 * SIM_SHOP + SIM_ACCESS_TOKEN (register one shop at start), SIM_APP_PAYMENT_SESSION_URL (the app's
 * payment_session_url, where the storefront at /__sim/store sends payment sessions),
 * SIM_ACCRUE_PAYMENT_SESSION_URL (the Accrue extension's, behind a "Pay with Accrue" button).
 * Control it over /__sim/* (see control.ts).
 */
import { startShopifySimulator } from "./simulator";

const port = Number(process.env.PORT ?? "4020");
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

// A bad URL or a busy port is a configuration mistake: one line, not a stack trace.
const simulator = await startShopifySimulator({
  port,
  host: process.env.HOST ?? "127.0.0.1",
  ...(process.env.SIM_PUBLIC_URL ? { publicUrl: process.env.SIM_PUBLIC_URL } : {}),
  ...(process.env.SIM_APP_PAYMENT_SESSION_URL ? { appPaymentSessionUrl: process.env.SIM_APP_PAYMENT_SESSION_URL } : {}),
  ...(process.env.SIM_ACCRUE_PAYMENT_SESSION_URL ? { otherPaymentSessionUrls: { Accrue: process.env.SIM_ACCRUE_PAYMENT_SESSION_URL } } : {}),
}).catch((error: unknown) => {
  console.error(`Shopify simulator could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const shop = process.env.SIM_SHOP;
const accessToken = process.env.SIM_ACCESS_TOKEN;
if (shop && accessToken) simulator.registerShop({ shop, accessToken });

console.log(`Shopify simulator listening on ${simulator.url}${shop && accessToken ? ` (shop ${shop} registered)` : ""}`);
console.log(
  `Storefront checkout: ${simulator.url}/__sim/store` +
    (simulator.appPaymentSessionUrl === null ? " (set SIM_APP_PAYMENT_SESSION_URL to send payments)" : ` → ${simulator.appPaymentSessionUrl}`),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
