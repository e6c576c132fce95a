import { describe, expect, it } from "vitest";
import { TEST_APP_URL } from "../support/app-env";
import { withSeededShop } from "../support/seeded-shop";
import { BUILD_ROUTES } from "../support/build-routes";
import { callRoute, merchantRequest } from "../support/shopify-auth";

/**
 * The merchant pages refuse cross-site form posts (an Origin check on every /app action) and
 * bound every form body, the login form included.
 */
const SHOP = "guarded-shop.myshopify.com";
const { db } = withSeededShop(SHOP, "smtgw_sk_test_Guarded00001111");

/** Every /app route module that has an action, found from the route files (a new one is covered too). */
async function appActions() {
  const files = (import.meta as ImportMeta & { glob: <T>(pattern: string) => Record<string, () => Promise<T>> }).glob<{ action?: unknown }>(
    "../../app/routes/app*.tsx",
  );
  const modules = await Promise.all(
    Object.entries(files).map(async ([file, load]) => ({ id: file.replace(/^.*\/app\/(routes\/.*)\.tsx$/, "$1"), module: await load() })),
  );
  expect(modules.map((m) => m.id).sort()).toEqual(
    Object.keys(BUILD_ROUTES)
      .filter((id) => id === "routes/app" || id.startsWith("routes/app."))
      .sort(),
  );
  return modules.filter((m) => typeof m.module.action === "function").map((m) => ({ id: m.id, action: m.module.action as never }));
}

const settingsRow = () => db().shopSettings.findFirstOrThrow({ where: { shop: { domain: SHOP } } });

describe("cross-site request forgery", () => {
  it("finds the /app actions to check", async () => {
    expect((await appActions()).map((a) => a.id).sort()).toEqual(["routes/app._index", "routes/app.transactions.$id"]);
  });

  it.each([
    ["another site's Origin", { Origin: "https://evil.example" }],
    ["the app's host on another scheme", { Origin: TEST_APP_URL.replace("http:", "https:") }],
    ["the literal null Origin (sandboxed frame, data: URL)", { Origin: "null" }],
    ["no Origin, Fetch Metadata cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["no Origin and no Fetch Metadata", {} as Record<string, string>],
  ])("every /app action refuses a post with %s (403) and changes nothing", async (_case, headers) => {
    const before = await settingsRow();
    for (const { id, action } of await appActions()) {
      const body = new URLSearchParams({ testApiKey: "smtgw_sk_test_Attacker0000000", intent: "retry-job", jobId: "x" });
      const request = merchantRequest(SHOP, "/app/transactions/x", { method: "POST", body, headers: { ...headers, Origin: "" } });
      if (headers.Origin) request.headers.set("Origin", headers.Origin);
      else request.headers.delete("Origin");
      const res = await callRoute(action, request, { id: "x" });
      expect({ id, status: res.status }).toEqual({ id, status: 403 });
      expect(await res.text()).toBe("Cross-site request refused: this form can only be sent from the app's own pages.");
    }
    expect(await settingsRow()).toEqual(before);
  });

  it("a post from the app's own page (same Origin, or same-origin Fetch Metadata) gets through", async () => {
    const detail = await import("~/routes/app.transactions.$id");
    const same = merchantRequest(SHOP, "/app/transactions/x", { method: "POST", body: new URLSearchParams({ intent: "nothing" }) });
    expect((await callRoute(detail.action as never, same, { id: "x" })).status).toBe(400);
    const metadata = merchantRequest(SHOP, "/app/transactions/x", { method: "POST", body: new URLSearchParams({ intent: "nothing" }) });
    metadata.headers.delete("Origin");
    metadata.headers.set("Sec-Fetch-Site", "same-origin");
    expect((await callRoute(detail.action as never, metadata, { id: "x" })).status).toBe(400);
  });
});

describe("body limits", () => {
  it("the settings form refuses a body over 16 KiB with 413 and saves nothing", async () => {
    const before = await settingsRow();
    const { action } = await import("~/routes/app._index");
    const body = new URLSearchParams({ testApiKey: `smtgw_sk_test_${"A".repeat(20_000)}` });
    const res = await callRoute(action as never, merchantRequest(SHOP, "/app?index", { method: "POST", body }));
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("Request body larger than 16384 bytes");
    expect(await settingsRow()).toEqual(before);
  });

  it("a merchant form in another encoding (multipart) is a 415", async () => {
    const { action } = await import("~/routes/app._index");
    const form = new FormData();
    form.set("testApiKey", "smtgw_sk_test_Multipart000000");
    const res = await callRoute(action as never, merchantRequest(SHOP, "/app?index", { method: "POST", body: form }));
    expect(res.status).toBe(415);
  });

  it("the login form refuses a body over 2 KiB with 413, before the shop is looked at", async () => {
    const { action } = await import("~/routes/auth.login");
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        // No Content-Length: the limit holds while streaming, too.
        for (let i = 0; i < 64; i++) controller.enqueue(new TextEncoder().encode(`shop=${"a".repeat(1024)}&`));
        controller.close();
      },
    });
    const request = new Request(`${TEST_APP_URL}/auth/login`, {
      method: "POST",
      body: streamed,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      duplex: "half",
    } as RequestInit);
    const res = await callRoute(action as never, request);
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("Request body larger than 2048 bytes");
  });

  it("a normal login form still leads to OAuth", async () => {
    const { action } = await import("~/routes/auth.login");
    const request = new Request(`${TEST_APP_URL}/auth/login`, { method: "POST", body: new URLSearchParams({ shop: SHOP }) });
    const res = await callRoute(action as never, request);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain(`/auth?shop=${SHOP}`);
  });
});
