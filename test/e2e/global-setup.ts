import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { startAccelebitSandbox } from "../simulators/accelebit/server";
import { startAccrueSandbox } from "../simulators/accrue/server";
import { DEMO_MERCHANT } from "../simulators/accrue/demo-merchant";
import { startShopifySimulator } from "../simulators/shopify";
import { createTestDatabase } from "../support/database";
import { appEnv } from "../support/app-env";
import { scanForSecrets } from "./secret-scan";
import { generateCardKeyPairForTest } from "../card-decryption/encrypt-for-test";

export const E2E_SHOP = "e2e-shop.myshopify.com";
const E2E_ACCESS_TOKEN = "shpat_e2e_token";
/** A shop that connects Accrue in the browser (its own, so the Accelebit set-up test sees only Accelebit). */
export const E2E_ACCRUE_SHOP = "e2e-accrue-shop.myshopify.com";
const E2E_ACCRUE_TOKEN = "shpat_e2e_accrue_token";
/** A second shop, already configured, where shoppers pay. */
export const E2E_PAY_SHOP = "e2e-pay-shop.myshopify.com";
const E2E_PAY_TOKEN = "shpat_e2e_pay_token";
export const E2E_PAY_KEY = "smtgw_sk_test_E2ePayShopKey0001";
/** The credit-card extension's certificate fingerprint: the simulator encrypts card sessions to its key. */
const E2E_CARD_FINGERPRINT = "e2e0".padEnd(64, "0");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

async function waitForReady(url: string, app: ChildProcess) {
  for (let i = 0; i < 100; i++) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/readyz never answered 200`);
}

/** Database, simulators, a seeded shop and the built app, shared by every e2e test. */
export default async function globalSetup() {
  if (!existsSync("build/index.js")) throw new Error("Build the app first: npm run build");
  const database = await createTestDatabase();
  // As in the demo, the bank's challenge pages are on another origin than the API the app
  // calls (localhost, not 127.0.0.1): a real issuer's page is on a host of its own.
  const sandboxPort = await freePort();
  const sandbox = await startAccelebitSandbox({
    revokedKeys: ["smtgw_sk_test_RevokedKey987654"],
    port: sandboxPort,
    publicUrl: `http://localhost:${sandboxPort}`,
  });
  // Accrue's sandbox environment, with the demo merchant (the setup page's test enters its
  // credentials) and the pay shop's own merchant; webhooks are really delivered to the app.
  // Its widget is on its own origin (127.0.0.1), never the app's: the page's CSP allows it by name.
  const accrue = await startAccrueSandbox({
    merchants: [{ ...DEMO_MERCHANT, name: "E2E Accrue merchant" }],
    webhookRetry: { maxAttempts: 3, baseDelayMs: 100 },
  });
  const accrueMerchant = accrue.createMerchant({ name: "E2E pay shop" });
  const shopify = await startShopifySimulator();
  shopify.registerShop({ shop: E2E_SHOP, accessToken: E2E_ACCESS_TOKEN });
  shopify.registerShop({ shop: E2E_ACCRUE_SHOP, accessToken: E2E_ACCRUE_TOKEN });
  shopify.registerShop({ shop: E2E_PAY_SHOP, accessToken: E2E_PAY_TOKEN });

  const cardKeys = generateCardKeyPairForTest();
  shopify.setCardEncryptionKey({ publicKeyPem: cardKeys.publicKeyPem, fingerprint: E2E_CARD_FINGERPRINT });

  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...appEnv({
      DATABASE_URL: database.url,
      ACCELEBIT_API_URL: sandbox.url,
      ACCRUE_SANDBOX_API_URL: accrue.url,
      ACCRUE_SANDBOX_WIDGET_URL: `${accrue.url}/main.js`,
      SHOPIFY_PAYMENTS_API_ORIGIN: shopify.url,
      SHOPIFY_APP_URL: appUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      CARD_DECRYPTION_KEYS: JSON.stringify([{ fingerprint: E2E_CARD_FINGERPRINT, privateKeyPem: cardKeys.privateKeyPem }]),
    }),
    NODE_ENV: "test",
  } as NodeJS.ProcessEnv;
  // The shop as OAuth would have left it: installed, with an offline token, nothing configured yet.
  await run(process.execPath, ["--import", "tsx", "test/e2e/install-shop.ts", E2E_SHOP, E2E_ACCESS_TOKEN], env);
  await run(process.execPath, ["--import", "tsx", "test/e2e/install-shop.ts", E2E_ACCRUE_SHOP, E2E_ACCRUE_TOKEN], env);
  await run(
    process.execPath,
    [
      ...["--import", "tsx", "scripts/seed-shop.ts", "--shop", E2E_PAY_SHOP, "--access-token", E2E_PAY_TOKEN, "--accelebit-test-key", E2E_PAY_KEY],
      ...["--accrue-test-client-id", accrueMerchant.clientId, "--accrue-test-client-secret", accrueMerchant.clientSecret],
    ],
    env,
  );
  shopify.setAppPaymentSessionUrl(`${appUrl}/shopify/payment`);
  shopify.setOtherPaymentSessionUrl("Accrue", `${appUrl}/shopify/accrue/payment`);
  shopify.setConfirmationCallbackUrl(`${appUrl}/shopify/card/confirm`);

  const app = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  app.stdout!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  app.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  try {
    await waitForReady(appUrl, app);
  } catch (error) {
    console.error(logs.join(""));
    throw error;
  }

  process.env.E2E_APP_URL = appUrl;
  process.env.E2E_SHOP = E2E_SHOP;
  process.env.E2E_API_SECRET = env.SHOPIFY_API_SECRET;
  process.env.E2E_SHOPIFY_SIMULATOR_URL = shopify.url;
  process.env.E2E_SANDBOX_URL = sandbox.url;
  process.env.E2E_ACCRUE_URL = accrue.url;
  process.env.E2E_ACCRUE_CLIENT_ID = accrueMerchant.clientId;
  process.env.E2E_ACCRUE_SHOP = E2E_ACCRUE_SHOP;
  process.env.E2E_ACCRUE_SANDBOX_URL = accrue.url;
  process.env.E2E_BANK_URL = `http://localhost:${sandboxPort}`;
  process.env.E2E_PAY_SHOP = E2E_PAY_SHOP;
  process.env.E2E_PAY_KEY = E2E_PAY_KEY;

  return async () => {
    app.kill("SIGTERM");
    await new Promise((r) => app.once("exit", r));
    await Promise.all([sandbox.close(), accrue.close(), shopify.close()]);
    // Card data, keys and tokens never reach a log line or a stored row (issues 6 and 7).
    const scan = await scanForSecrets(logs.join(""), database.url);
    await database.drop();
    console.log(`secret scan: ${scan.scannedLogBytes} bytes of app log and ${scan.scannedRows} stored rows, ${scan.hits.length} hits`);
    if (scan.hits.length) throw new Error(`Secrets found after the e2e suite: ${scan.hits.join(", ")}`);
  };
}
