// npm run demo — the app on the SQLite default with both local simulators and a seeded,
// configured demo shop; prints the one URL to open. Nothing here talks to Shopify or
// Accelebit: the sandbox and the simulator stand in for them on this machine.
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { startAccelebitSandbox } from "../test/simulators/accelebit/server";
import { DEMO_MERCHANT } from "../test/simulators/accrue/demo-merchant";
import { startAccrueSandbox } from "../test/simulators/accrue/server";
import { startShopifySimulator } from "../test/simulators/shopify";

const APP_PORT = Number(process.env.PORT ?? 3000);
const SANDBOX_PORT = Number(process.env.ACCELEBIT_SANDBOX_PORT ?? 4010);
const SIMULATOR_PORT = Number(process.env.SHOPIFY_SIMULATOR_PORT ?? 4020);
const ACCRUE_PORT = Number(process.env.ACCRUE_SANDBOX_PORT ?? 4030);
const SHOP = "demo-shop.myshopify.com";
const ACCESS_TOKEN = "shpat_demo_access_token";
const TEST_KEY = "smtgw_sk_test_demo_merchant_0001";
const appUrl = `http://localhost:${APP_PORT}`;

// The demo keeps its secrets across runs, so its database stays readable.
function demoSecrets(): { encryptionKey: string; apiSecret: string; signInSecret: string } {
  const file = ".tools/demo-secrets.json";
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  mkdirSync(".tools", { recursive: true });
  const secrets = {
    encryptionKey: randomBytes(32).toString("base64"),
    apiSecret: randomBytes(24).toString("hex"),
    signInSecret: randomBytes(24).toString("hex"),
  };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

const secrets = demoSecrets();
const sandbox = await startAccelebitSandbox({ port: SANDBOX_PORT, host: "127.0.0.1", publicUrl: `http://localhost:${SANDBOX_PORT}` });
// The widget's page must be another origin than the app's (it is in production): localhost vs 127.0.0.1.
const accrue = await startAccrueSandbox({ port: ACCRUE_PORT, host: "127.0.0.1", merchants: [{ ...DEMO_MERCHANT, name: "Demo shop" }] });
const accrueUrl = accrue.url;
const shopify = await startShopifySimulator({
  port: SIMULATOR_PORT,
  host: "127.0.0.1",
  publicUrl: `http://localhost:${SIMULATOR_PORT}`,
  // The simulated checkout sends payment sessions to the app like Shopify does.
  appPaymentSessionUrl: `${appUrl}/shopify/payment`,
  otherPaymentSessionUrls: { Accrue: `${appUrl}/shopify/accrue/payment` },
});
shopify.registerShop({ shop: SHOP, accessToken: ACCESS_TOKEN });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "development",
  DATABASE_URL: process.env.DATABASE_URL ?? "file:./prisma/dev.db",
  SHOPIFY_API_KEY: "demo-client-id",
  SHOPIFY_API_SECRET: secrets.apiSecret,
  SHOPIFY_APP_URL: appUrl,
  SCOPES: "write_payment_gateways,write_payment_sessions",
  ENCRYPTION_KEY: secrets.encryptionKey,
  ACCELEBIT_API_URL: sandbox.url,
  ACCRUE_SANDBOX_API_URL: accrueUrl,
  ACCRUE_SANDBOX_WIDGET_URL: `${accrueUrl}/main.js`,
  SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
  DEV_SIGN_IN_SECRET: secrets.signInSecret,
  PORT: String(APP_PORT),
  HOST: "127.0.0.1",
} as NodeJS.ProcessEnv;

const run = (args: string[]) => execFileSync(process.execPath, args, { env, stdio: "inherit" });
run(["--import", "tsx", "scripts/db.ts", "migrate"]);
run([
  "--import",
  "tsx",
  "scripts/seed-shop.ts",
  ...["--shop", SHOP, "--access-token", ACCESS_TOKEN, "--accelebit-test-key", TEST_KEY],
  ...["--accrue-test-client-id", DEMO_MERCHANT.clientId, "--accrue-test-client-secret", DEMO_MERCHANT.clientSecret],
]);
execFileSync(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "build"], { env: { ...env, NODE_ENV: "production" }, stdio: "inherit" });

const app = spawn(process.execPath, ["server.js"], { env, stdio: "inherit" });
for (let i = 0; i < 100; i++) {
  if ((await fetch(`${appUrl}/readyz`).catch(() => null))?.ok) break;
  await new Promise((r) => setTimeout(r, 200));
}

console.log(`
  Accelebit for Shopify — local demo
    Accelebit sandbox   ${sandbox.url}   (magic cards: test/simulators/accelebit/README.md)
    Accrue sandbox      ${accrueUrl}   (magic phone numbers: test/simulators/accrue/README.md)
    Shopify simulator   ${shopify.url}
    Demo shop           ${SHOP}, configured with test key ••••${TEST_KEY.slice(-4)}

  Open: ${shopify.url.replace("127.0.0.1", "localhost")}/__sim/store/${SHOP}
    a simulated checkout: press "Pay with Accelebit", then pay with a sandbox test card
    (4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 3220 asks for 3-D Secure),
    or set Currency to USD and press "Pay with Accrue", then sign in with a sandbox phone number
    (+1 212 555 0100 pays; +1 212 555 0102 is declined; +1 212 555 0101 has an empty wallet).
  Merchant settings: ${appUrl}/dev/sign-in?shop=${SHOP}&secret=${secrets.signInSecret}
  (Ctrl-C stops everything.)
`);

const stop = () => {
  app.kill("SIGTERM");
  void Promise.all([sandbox.close(), accrue.close(), shopify.close()]).then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
app.on("exit", (code) => {
  console.error(`the app exited (${code})`);
  void Promise.all([sandbox.close(), accrue.close(), shopify.close()]).then(() => process.exit(code ?? 1));
});
