import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControlRequest } from "./control";
import { FaultPlan, type FaultSpec, type InjectedFault } from "./faults";
import { handleGraphQLRequest } from "./graphql-endpoint";
import { sendJson } from "./http-utils";
import { serveCheckoutPage, serveOrderStatusPage } from "./pages";
import {
  createCaptureSession,
  createPaymentSession,
  createRefundSession,
  createVoidSession,
  deliverSession,
  type CaptureSessionBody,
  type CreateCaptureSessionParams,
  type CreatePaymentSessionParams,
  type CreateRefundSessionParams,
  type CreateVoidSessionParams,
  type DeliveryResult,
  type PaymentSessionBody,
  type RefundSessionBody,
  type SimulatedSessionRequest,
  type VoidSessionBody,
} from "./session-requests";
import {
  DEFAULT_SCOPES,
  SimulatorStore,
  type FinalizedSessionRecord,
  type PaymentSessionRecord,
  type PaymentsAppConfiguration,
  type RecordedMutation,
} from "./store";
import { handleStorefrontRequest, isStorefrontPath } from "./storefront";

export interface StartShopifySimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Origin the buyer's browser uses to reach the simulator, when it differs from host:port. */
  publicUrl?: string;
  /** The app's payment_session_url: where the simulated storefront (/__sim/store) sends payment sessions. */
  appPaymentSessionUrl?: string;
  /**
   * Further payments extensions of the app, by the name their storefront button shows ("Pay with
   * Accrue"): each its own payment_session_url.
   */
  otherPaymentSessionUrls?: Record<string, string>;
}

export interface RegisterShopInput {
  /** Permanent *.myshopify.com domain. */
  shop: string;
  accessToken: string;
  /** Granted scopes; default write_payment_sessions and write_payment_gateways. */
  scopes?: readonly string[];
}

/** A session as the simulated Shopify holds it (stored answers left out). */
export type SessionSnapshot = Omit<PaymentSessionRecord, "answers"> | Omit<FinalizedSessionRecord, "answers">;

export interface ShopifySimulator {
  /** Origin of the simulator, e.g. http://127.0.0.1:40123 (use as SHOPIFY_PAYMENTS_API_ORIGIN). */
  readonly url: string;
  close(): Promise<void>;
  /** Forgets shops, sessions, configurations, records and faults; releases hung requests. */
  reset(): void;
  registerShop(input: RegisterShopInput): void;
  /** The token then answers 401, like an expired or uninstalled token. */
  revokeAccessToken(accessToken: string): void;
  /** Every executed mutation field, oldest first, with the answer Shopify produced for it. */
  readonly mutations: readonly RecordedMutation[];
  sessionState(gid: string): SessionSnapshot | undefined;
  configuration(shop: string): PaymentsAppConfiguration | undefined;
  /** paymentsAppConfigure on this shop answers the userError "Payments App is not installed on this shop". */
  uninstallPaymentsExtension(shop: string): void;
  injectFaults(specs: FaultSpec | readonly FaultSpec[]): void;
  clearFaults(): void;
  /** Every fault actually applied, oldest first. */
  readonly injectedFaults: readonly InjectedFault[];
  /** Faults that can still fire. */
  readonly pendingFaults: number;
  createPaymentSession(params: CreatePaymentSessionParams): SimulatedSessionRequest<PaymentSessionBody>;
  createRefundSession(params: CreateRefundSessionParams): SimulatedSessionRequest<RefundSessionBody>;
  createCaptureSession(params: CreateCaptureSessionParams): SimulatedSessionRequest<CaptureSessionBody>;
  createVoidSession(params: CreateVoidSessionParams): SimulatedSessionRequest<VoidSessionBody>;
  sendPaymentSession(appSessionUrl: string, session: SimulatedSessionRequest<PaymentSessionBody>): Promise<DeliveryResult>;
  sendRefundSession(appSessionUrl: string, session: SimulatedSessionRequest<RefundSessionBody>): Promise<DeliveryResult>;
  sendCaptureSession(appSessionUrl: string, session: SimulatedSessionRequest<CaptureSessionBody>): Promise<DeliveryResult>;
  sendVoidSession(appSessionUrl: string, session: SimulatedSessionRequest<VoidSessionBody>): Promise<DeliveryResult>;
  /** Where the storefront sends payment sessions; null until configured. Kept across reset(), like the port. */
  readonly appPaymentSessionUrl: string | null;
  /** Sets (or with null, clears) the app's payment_session_url; throws unless it is an absolute http(s) URL. */
  setAppPaymentSessionUrl(url: string | null): void;
  /** Adds (or with null, removes) a further payments extension's button and payment_session_url. */
  setOtherPaymentSessionUrl(name: string, url: string | null): void;
  /** The credit-card extension's certificate: card sessions are encrypted to this public key. Kept across reset(). */
  setCardEncryptionKey(key: { publicKeyPem: string; fingerprint: string } | null): void;
  /** The extension's confirmation_callback_url, POSTed after paymentSessionConfirm. Kept across reset(). */
  setConfirmationCallbackUrl(url: string | null): void;
}

const GRAPHQL_PATH = /^\/payments_apps\/api\/([^/]+)\/graphql\.json$/;
const PAGE_PATH = /^\/__sim\/(orders|checkout)\/([^/]+)$/;

export async function startShopifySimulator(options: StartShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  const store = new SimulatorStore();
  const faults = new FaultPlan();
  const hung = new Set<ServerResponse>();
  const host = options.host ?? "127.0.0.1";
  let baseUrl = "";
  // Checked before listening so a bad option fails start-up instead of the first checkout.
  let appPaymentSessionUrl = options.appPaymentSessionUrl === undefined ? null : checkedAppUrl(options.appPaymentSessionUrl);
  const otherPaymentSessionUrls = new Map(Object.entries(options.otherPaymentSessionUrls ?? {}).map(([name, url]) => [name, checkedAppUrl(url)]));

  const releaseHungRequests = () => {
    for (const response of hung) response.destroy();
    hung.clear();
  };

  const simulator: ShopifySimulator = {
    get url() {
      return baseUrl;
    },
    close: async () => {
      releaseHungRequests();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
    reset: () => {
      releaseHungRequests();
      store.clear();
      faults.clear();
    },
    registerShop: ({ shop, accessToken, scopes }) => store.registerShop(shop, accessToken, scopes ?? DEFAULT_SCOPES),
    revokeAccessToken: (accessToken) => store.revokeAccessToken(accessToken),
    get mutations() {
      return [...store.mutations];
    },
    sessionState: (gid) => {
      const session = store.sessions.get(gid);
      if (session === undefined) return undefined;
      const { answers: _answers, ...snapshot } = session;
      return structuredClone(snapshot);
    },
    uninstallPaymentsExtension: (shop) => {
      store.shopsWithoutExtension.add(shop);
    },
    configuration: (shop) => {
      const configuration = store.configurations.get(shop);
      return configuration === undefined ? undefined : { ...configuration };
    },
    injectFaults: (specs) => faults.add(specs),
    clearFaults: () => faults.clear(),
    get injectedFaults() {
      return [...faults.injected];
    },
    get pendingFaults() {
      return faults.pending;
    },
    createPaymentSession: (params) => createPaymentSession(store, baseUrl, params),
    createRefundSession: (params) => createRefundSession(store, params),
    createCaptureSession: (params) => createCaptureSession(store, params),
    createVoidSession: (params) => createVoidSession(store, params),
    sendPaymentSession: (url, session) => deliverSession(store, url, session),
    sendRefundSession: (url, session) => deliverSession(store, url, session),
    sendCaptureSession: (url, session) => deliverSession(store, url, session),
    sendVoidSession: (url, session) => deliverSession(store, url, session),
    get appPaymentSessionUrl() {
      return appPaymentSessionUrl;
    },
    setAppPaymentSessionUrl: (url) => {
      appPaymentSessionUrl = url === null ? null : checkedAppUrl(url);
    },
    setOtherPaymentSessionUrl: (name, url) => {
      if (url === null) otherPaymentSessionUrls.delete(name);
      else otherPaymentSessionUrls.set(name, checkedAppUrl(url));
    },
    setCardEncryptionKey: (key) => {
      store.cardEncryption = key === null ? null : { ...key };
    },
    setConfirmationCallbackUrl: (url) => {
      store.confirmationCallbackUrl = url === null ? null : checkedAppUrl(url);
    },
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname: path, searchParams } = new URL(request.url ?? "/", "http://simulator");
    const graphql = GRAPHQL_PATH.exec(path);
    if (graphql !== null && request.method === "POST") {
      return handleGraphQLRequest(request, response, decodeURIComponent(graphql[1] ?? ""), { store, faults, baseUrl, hung });
    }
    const pageMatch = PAGE_PATH.exec(path);
    if (pageMatch !== null && request.method === "GET") {
      const id = decodeURIComponent(pageMatch[2] ?? "");
      return pageMatch[1] === "orders"
        ? serveOrderStatusPage(response, store, id)
        : serveCheckoutPage(response, store, id, { cancelled: searchParams.get("cancelled") === "1" });
    }
    if (isStorefrontPath(path)) return handleStorefrontRequest(request, response, path, { store, baseUrl, appPaymentSessionUrl, otherPaymentSessionUrls });
    if (path.startsWith("/__sim/")) return handleControlRequest(request, response, path, simulator);
    sendJson(response, 404, { errors: "Not Found" });
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { errors: `Simulator error: ${error instanceof Error ? error.message : String(error)}` });
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = options.publicUrl?.replace(/\/$/, "") ?? `http://${urlHost(host)}:${port}`;
  return simulator;
}

function checkedAppUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`appPaymentSessionUrl must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`appPaymentSessionUrl must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return url;
}

/** Wildcard addresses are not reachable as such; IPv6 literals need brackets in URLs. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
