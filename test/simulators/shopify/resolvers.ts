import { GraphQLError } from "graphql";
import { rejectFinalizedSession, resolveFinalizedSession } from "./finalized-session-rules";
import type { ResolverContext } from "./mutation-rules";
import { paymentSessionConfirm, paymentSessionPending, paymentSessionRedirect, paymentSessionReject, paymentSessionResolve } from "./payment-session-rules";
import { SIMULATED_API_VERSIONS } from "./schema";

type Args = Record<string, unknown>;
type FieldResolver = (args: Args, context: ResolverContext) => unknown;

/** Scope each root field needs (reference §1.3). */
const REQUIRED_SCOPE = {
  paymentSessionResolve: "write_payment_sessions",
  paymentSessionReject: "write_payment_sessions",
  paymentSessionPending: "write_payment_sessions",
  paymentSessionRedirect: "write_payment_sessions",
  paymentSessionConfirm: "write_payment_sessions",
  refundSessionResolve: "write_payment_sessions",
  refundSessionReject: "write_payment_sessions",
  captureSessionResolve: "write_payment_sessions",
  captureSessionReject: "write_payment_sessions",
  voidSessionResolve: "write_payment_sessions",
  voidSessionReject: "write_payment_sessions",
  paymentsAppConfigure: "write_payment_gateways",
} as const;

export type SimulatedMutationField = keyof typeof REQUIRED_SCOPE;

const MUTATION_RESOLVERS: Record<SimulatedMutationField, FieldResolver> = {
  paymentSessionResolve,
  paymentSessionReject,
  paymentSessionPending,
  paymentSessionRedirect,
  paymentSessionConfirm,
  refundSessionResolve: resolveFinalizedSession("refund"),
  refundSessionReject: rejectFinalizedSession("refund"),
  captureSessionResolve: resolveFinalizedSession("capture"),
  captureSessionReject: rejectFinalizedSession("capture"),
  voidSessionResolve: resolveFinalizedSession("void"),
  voidSessionReject: rejectFinalizedSession("void"),
  paymentsAppConfigure,
};

/**
 * Root value for graphql-js `execute`: one function per root field. Root fields the simulator does not
 * implement (paymentSessionModal, verificationSession*) resolve to null, which their nullable
 * payload types allow; the app does not use them.
 */
export function createRootValue(): Record<string, (args: Args, context: ResolverContext) => unknown> {
  const root: Record<string, (args: Args, context: ResolverContext) => unknown> = {
    publicApiVersions: () =>
      SIMULATED_API_VERSIONS.map((handle, index) => ({
        handle,
        displayName: index === SIMULATED_API_VERSIONS.length - 1 ? `${handle} (Latest)` : handle,
        supported: true,
      })),
  };
  for (const [field, resolver] of Object.entries(MUTATION_RESOLVERS) as [SimulatedMutationField, FieldResolver][]) {
    root[field] = (args, context) => {
      requireScope(field, args, context);
      return resolver(args, context);
    };
  }
  return root;
}

/** Shopify answers a missing scope with a field error coded ACCESS_DENIED and a null payload. */
function requireScope(field: SimulatedMutationField, args: Args, context: ResolverContext): void {
  const scope = REQUIRED_SCOPE[field];
  if (context.shop.scopes.has(scope)) return;
  context.effects.push({ field, sessionGid: typeof args.id === "string" ? args.id : null, effect: "refused" });
  throw new GraphQLError(`Access denied for ${field} field. Required access: \`${scope}\` access scope.`, {
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess: `\`${scope}\` access scope.`,
    },
  });
}

function paymentsAppConfigure(args: Args, context: ResolverContext): unknown {
  if (context.store.shopsWithoutExtension.has(context.shop.shop)) {
    context.effects.push({ field: "paymentsAppConfigure", sessionGid: null, effect: "refused" });
    return { paymentsAppConfiguration: null, userErrors: [{ field: null, message: "Payments App is not installed on this shop" }] };
  }
  const configuration = { externalHandle: typeof args.externalHandle === "string" ? args.externalHandle : null, ready: args.ready === true };
  context.store.configurations.set(context.shop.shop, configuration);
  context.effects.push({ field: "paymentsAppConfigure", sessionGid: null, effect: "applied" });
  return { paymentsAppConfiguration: { ...configuration }, userErrors: [] };
}
