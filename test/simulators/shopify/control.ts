import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { faultSpecSchema } from "./faults";
import { readJson, sendJson } from "./http-utils";
import type { DeliveryResult, SimulatedSessionRequest } from "./session-requests";
import type { ShopifySimulator } from "./simulator";

/**
 * HTTP control surface for a simulator running in another process (the demo, Playwright tests).
 * Mirrors the in-process API:
 *
 *   POST   /__sim/shops                      {shop, accessToken, scopes?}
 *   POST   /__sim/faults                     FaultSpec | FaultSpec[]
 *   GET    /__sim/faults                     → {injected, pending}
 *   DELETE /__sim/faults
 *   GET    /__sim/mutations                  → {mutations}
 *   GET    /__sim/sessions/:gid              → session snapshot
 *   POST   /__sim/sessions/payment|refund|capture|void   {...create params, deliverTo?} → {request, delivery?}
 *   GET    /__sim/configurations/:shop       → {externalHandle, ready}
 *   GET    /__sim/app-payment-session-url    → {url}
 *   POST   /__sim/app-payment-session-url    {url: string | null}   where the storefront sends payment sessions
 *   POST   /__sim/reset
 */

const registerShopSchema = z.object({
  shop: z.string().min(1),
  accessToken: z.string().min(1),
  scopes: z.array(z.string()).optional(),
});

const appPaymentSessionUrlSchema = z.object({ url: z.url({ protocol: /^https?$/ }).nullable() });

const deliverTo = z.string().url().optional();
const createPaymentSchema = z.object({
  shop: z.string().min(1),
  kind: z.enum(["sale", "authorization"]).optional(),
  amount: z.string().optional(),
  currency: z.string().optional(),
  test: z.boolean().optional(),
  paymentMethodType: z.enum(["offsite", "credit_card"]).optional(),
  paymentMethodData: z.record(z.string(), z.unknown()).optional(),
  card: z
    .object({
      pan: z.string(),
      month: z.number().int(),
      year: z.number().int(),
      full_name: z.string().optional(),
      verification_value: z.string().optional(),
    })
    .optional(),
  moto: z.boolean().optional(),
  confirmationResult: z.boolean().optional(),
  group: z.string().optional(),
  deliverTo,
});
const createFollowUpSchema = z.object({
  paymentId: z.string().min(1),
  amount: z.string().optional(),
  currency: z.string().optional(),
  deliverTo,
});

export async function handleControlRequest(request: IncomingMessage, response: ServerResponse, path: string, simulator: ShopifySimulator): Promise<void> {
  const method = request.method ?? "GET";
  const route = `${method} ${path}`;
  try {
    if (route === "POST /__sim/shops") {
      simulator.registerShop(registerShopSchema.parse(await readJson(request)));
      return sendJson(response, 201, { ok: true });
    }
    if (route === "POST /__sim/faults") {
      const body = await readJson(request);
      simulator.injectFaults(Array.isArray(body) ? z.array(faultSpecSchema).parse(body) : faultSpecSchema.parse(body));
      return sendJson(response, 201, { pending: simulator.pendingFaults });
    }
    if (route === "GET /__sim/faults") {
      return sendJson(response, 200, { injected: simulator.injectedFaults, pending: simulator.pendingFaults });
    }
    if (route === "DELETE /__sim/faults") {
      simulator.clearFaults();
      return sendJson(response, 200, { ok: true });
    }
    if (route === "GET /__sim/app-payment-session-url") return sendJson(response, 200, { url: simulator.appPaymentSessionUrl });
    if (route === "POST /__sim/app-payment-session-url") {
      simulator.setAppPaymentSessionUrl(appPaymentSessionUrlSchema.parse(await readJson(request)).url);
      return sendJson(response, 200, { url: simulator.appPaymentSessionUrl });
    }
    if (route === "GET /__sim/mutations") return sendJson(response, 200, { mutations: simulator.mutations });
    if (route === "POST /__sim/reset") {
      simulator.reset();
      return sendJson(response, 200, { ok: true });
    }
    if (method === "GET" && path.startsWith("/__sim/sessions/")) {
      const snapshot = simulator.sessionState(decodeURIComponent(path.slice("/__sim/sessions/".length)));
      return snapshot === undefined ? sendJson(response, 404, { errors: "Unknown session" }) : sendJson(response, 200, snapshot);
    }
    if (method === "GET" && path.startsWith("/__sim/configurations/")) {
      const configuration = simulator.configuration(decodeURIComponent(path.slice("/__sim/configurations/".length)));
      return configuration === undefined ? sendJson(response, 404, { errors: "Not configured" }) : sendJson(response, 200, configuration);
    }
    if (method === "POST" && path.startsWith("/__sim/sessions/")) {
      const created = await createSession(path.slice("/__sim/sessions/".length), await readJson(request), simulator);
      return created === null ? sendJson(response, 404, { errors: "Unknown session type" }) : sendJson(response, 201, created);
    }
    return sendJson(response, 404, { errors: "Not Found" });
  } catch (error) {
    if (error instanceof z.ZodError) return sendJson(response, 422, { errors: error.issues });
    if (error instanceof SyntaxError) return sendJson(response, 400, { errors: "Body is not JSON" });
    throw error;
  }
}

async function createSession(
  type: string,
  body: unknown,
  simulator: ShopifySimulator,
): Promise<{ request: SimulatedSessionRequest<unknown>; delivery: DeliveryResult | null } | null> {
  switch (type) {
    case "payment": {
      const { deliverTo: url, ...params } = createPaymentSchema.parse(body);
      const request = simulator.createPaymentSession(params);
      return { request, delivery: url === undefined ? null : await simulator.sendPaymentSession(url, request) };
    }
    case "refund": {
      const { deliverTo: url, ...params } = createFollowUpSchema.parse(body);
      const request = simulator.createRefundSession(params);
      return { request, delivery: url === undefined ? null : await simulator.sendRefundSession(url, request) };
    }
    case "capture": {
      const { deliverTo: url, ...params } = createFollowUpSchema.parse(body);
      const request = simulator.createCaptureSession(params);
      return { request, delivery: url === undefined ? null : await simulator.sendCaptureSession(url, request) };
    }
    case "void": {
      const { deliverTo: url, paymentId } = createFollowUpSchema.parse(body);
      const request = simulator.createVoidSession({ paymentId });
      return { request, delivery: url === undefined ? null : await simulator.sendVoidSession(url, request) };
    }
    default:
      return null;
  }
}
