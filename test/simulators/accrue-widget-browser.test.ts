/**
 * The stand-in widget in a real Chromium: a merchant page on another origin, with a strict
 * Content-Security-Policy that allows only the sandbox's origin for scripts and frames, loads
 * main.js, the shopper signs in by phone inside the iframe and pays, and the page's callback
 * receives the new intent's id.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "./shared/listen";
import { MAGIC_PHONES, startAccrueSandbox, type AccrueSandbox, type MerchantCredentials } from "./accrue/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let sandbox: AccrueSandbox;
let merchant: MerchantCredentials;
let shop: Server;
let shopUrl = "";
let browser: Browser;

function shopPage(amount: number, reference: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title>
<script nonce="n0nce">
  window.results = [];
  window.canceled = 0;
  window.addEventListener("AccruePay::Ready", function () {
    window.accruePay.onPaymentIntentCreated(function (detail) { window.results.push(detail); });
    window.accruePay.onCancel(function () { window.canceled += 1; });
  });
</script>
<script src="${sandbox.url}/main.js" data-script="accrue-pay" data-client-id="${merchant.clientId}"></script>
</head><body><accrue-pay flow="wallet" amount="${amount}" reference="${reference}"></accrue-pay></body></html>`;
}

beforeAll(async () => {
  sandbox = await startAccrueSandbox();
  merchant = sandbox.createMerchant({ name: "Browser shop" });
  shop = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://shop.invalid");
    const html = shopPage(Number(url.searchParams.get("amount") ?? "1999"), url.searchParams.get("reference") ?? "ref");
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'none'; script-src 'nonce-n0nce' ${sandbox.url}; frame-src ${sandbox.url}; style-src 'none'`,
    });
    res.end(html);
  });
  shopUrl = (await listen(shop, 0, "127.0.0.1")).url;
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox.close();
  await new Promise<void>((resolve) => shop.close(() => resolve()));
});

describe.skipIf(!existsSync(CHROMIUM))("widget in Chromium", () => {
  it("signs in by phone, pays, and hands the intent id to the embedding page", async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") violations.push(message.text());
    });
    await page.goto(`${shopUrl}/checkout?amount=2450&reference=tok-browser`);
    const widget = page.frameLocator("accrue-pay iframe");
    await widget.getByLabel("Phone number").fill("+1 212 555 0100");
    await widget.getByRole("button", { name: "Sign in" }).click();
    await widget.getByRole("button", { name: "Pay $24.50" }).click();
    await page.waitForFunction(() => (window as unknown as { results: unknown[] }).results.length === 1);
    const [detail] = await page.evaluate(() => (window as unknown as { results: unknown[] }).results);
    const [intent] = sandbox.state(merchant.clientId).intents;
    expect(detail).toEqual({ paymentIntentId: intent?.id, reference: "tok-browser", walletId: intent?.attributes.walletId, amount: 2450 });
    expect(intent?.attributes).toMatchObject({ reference: "tok-browser", amount: 2450, phoneNumber: MAGIC_PHONES.approved });
    expect(violations.filter((text) => text.includes("Content Security Policy"))).toEqual([]);
    await page.close();
  }, 60_000);

  it("cancel in the widget reaches the page's onCancel; no intent is created", async () => {
    sandbox.reset();
    merchant = sandbox.createMerchant({ name: "Browser shop" });
    const page = await browser.newPage();
    await page.goto(`${shopUrl}/checkout?amount=500&reference=tok-cancel`);
    const widget = page.frameLocator("accrue-pay iframe");
    await widget.getByLabel("Phone number").fill(MAGIC_PHONES.approved);
    await widget.getByRole("button", { name: "Sign in" }).click();
    await widget.getByRole("button", { name: "Cancel" }).click();
    await page.waitForFunction(() => (window as unknown as { canceled: number }).canceled === 1);
    expect(sandbox.state(merchant.clientId).intents).toEqual([]);
    await page.close();
  }, 60_000);
});
