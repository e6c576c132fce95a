/** In-memory state of the simulated Shopify: shops, tokens, sessions, configurations, records. */

export type PaymentMethodType = "offsite" | "credit_card";
export type PaymentKind = "sale" | "authorization";
export type FinalizedSessionType = "refund" | "capture" | "void";

/** `open` is the state before any mutation; the schema has no code for it. */
export type PaymentStatus = "open" | "redirecting" | "confirming" | "pending" | "resolved" | "rejected";
export type FinalizedStatus = "open" | "resolved" | "rejected";

/**
 * Whether Shopify has the app's answer to the session request. Shopify refuses mutations while its
 * own request is still waiting for that answer (reference §2.6 / pitfall 1): `in-flight` models that.
 * Sessions never sent (`not-sent`) are treated as acknowledged so tests can drive the client alone.
 */
export type DeliveryStatus = "not-sent" | "in-flight" | "acknowledged" | "failed";

export interface Delivery {
  requestId: string;
  status: number | null;
  error: string | null;
}

export interface Rejection {
  reason: string;
  merchantMessage: string | null;
  source: string | null;
}

interface SessionBase {
  shop: string;
  id: string;
  gid: string;
  delivery: DeliveryStatus;
  deliveries: Delivery[];
  /** Root field of the last mutation that changed the session; a repeat of it replays `answers`. */
  lastMutation: string | null;
  answers: Map<string, unknown>;
}

export interface PaymentSessionRecord extends SessionBase {
  type: "payment";
  kind: PaymentKind;
  paymentMethodType: PaymentMethodType;
  amount: string;
  currency: string;
  test: boolean;
  status: PaymentStatus;
  /** paymentSessionRedirect succeeded: resolve/reject must then carry `authentication`. */
  redirected: boolean;
  redirectUrl: string | null;
  pendingReason: string | null;
  pendingExpiresAt: string | null;
  authorizationExpiresAt: string | null;
  networkTransactionId: string | null;
  rejection: Rejection | null;
  /** What Shopify answers at confirmation_callback_url after paymentSessionConfirm (default true). */
  confirmationResult: boolean;
  /** Each confirmation callback POSTed to the app, with the app's HTTP status (null: not reached). */
  confirmationCallbacks: { url: string; status: number | null; error: string | null }[];
}

export interface FinalizedSessionRecord extends SessionBase {
  type: FinalizedSessionType;
  paymentGid: string;
  amount: string | null;
  currency: string | null;
  status: FinalizedStatus;
  rejection: Rejection | null;
}

export type SessionRecord = PaymentSessionRecord | FinalizedSessionRecord;

export interface ShopRecord {
  shop: string;
  scopes: ReadonlySet<string>;
}

export interface PaymentsAppConfiguration {
  externalHandle: string | null;
  ready: boolean;
}

/** What happened to a mutation field inside the simulator. */
export type MutationEffect = "applied" | "replayed" | "refused";

/** What happened to the HTTP answer carrying it (a fault in phase "after" loses it). */
export type AnswerDelivery = "sent" | "http-5xx" | "internal-error" | "hang" | "connection-reset";

export interface RecordedMutation {
  seq: number;
  apiVersion: string;
  shop: string;
  operationName: string | null;
  /** Root mutation field, e.g. `paymentSessionResolve`. */
  field: string;
  sessionGid: string | null;
  variables: Record<string, unknown>;
  effect: MutationEffect;
  /** The full GraphQL response body the simulator produced for the request. */
  answer: unknown;
  answerDelivery: AnswerDelivery;
}

export const DEFAULT_SCOPES = ["write_payment_sessions", "write_payment_gateways"] as const;

export class SimulatorStore {
  readonly shopsByToken = new Map<string, ShopRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly configurations = new Map<string, PaymentsAppConfiguration>();
  /**
   * Shops where the payments extension is not installed: paymentsAppConfigure answers a
   * userError, as in Shopify's known onboarding problem "Payments App is not installed on
   * this shop" (reference §7.3).
   */
  readonly shopsWithoutExtension = new Set<string>();
  readonly mutations: RecordedMutation[] = [];
  private nextSeq = 1;
  /** Like the extension's encryption certificate: card data is encrypted to this key (kept across clear()). */
  cardEncryption: { publicKeyPem: string; fingerprint: string } | null = null;
  /** The extension's confirmation_callback_url (kept across clear()). */
  confirmationCallbackUrl: string | null = null;

  registerShop(shop: string, accessToken: string, scopes: readonly string[]): void {
    const existing = this.shopsByToken.get(accessToken);
    if (existing !== undefined && existing.shop !== shop) {
      throw new Error(`Access token already belongs to ${existing.shop}`);
    }
    this.shopsByToken.set(accessToken, { shop, scopes: new Set(scopes) });
  }

  revokeAccessToken(accessToken: string): void {
    this.shopsByToken.delete(accessToken);
  }

  shopForToken(accessToken: string): ShopRecord | undefined {
    return this.shopsByToken.get(accessToken);
  }

  /** Shops with at least one valid token, sorted: the simulated storefronts that exist. */
  shops(): string[] {
    return [...new Set([...this.shopsByToken.values()].map((record) => record.shop))].sort();
  }

  hasShop(shop: string): boolean {
    return [...this.shopsByToken.values()].some((record) => record.shop === shop);
  }

  /** A session as seen by one shop: another shop's session does not exist for it. */
  sessionFor(shop: string, gid: unknown): SessionRecord | undefined {
    if (typeof gid !== "string") return undefined;
    const session = this.sessions.get(gid);
    return session?.shop === shop ? session : undefined;
  }

  addSession(session: SessionRecord): void {
    if (this.sessions.has(session.gid)) throw new Error(`Session ${session.gid} already exists`);
    this.sessions.set(session.gid, session);
  }

  paymentById(id: string): PaymentSessionRecord | undefined {
    for (const session of this.sessions.values()) {
      if (session.type === "payment" && session.id === id) return session;
    }
    return undefined;
  }

  record(mutation: Omit<RecordedMutation, "seq">): RecordedMutation {
    const recorded = { ...mutation, seq: this.nextSeq++ };
    this.mutations.push(recorded);
    return recorded;
  }

  clear(): void {
    this.shopsByToken.clear();
    this.sessions.clear();
    this.configurations.clear();
    this.shopsWithoutExtension.clear();
    this.mutations.length = 0;
    this.nextSeq = 1;
  }
}
