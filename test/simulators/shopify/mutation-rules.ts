import type { MutationEffect, SessionRecord, ShopRecord, SimulatorStore } from "./store";

/** Shape of every `*UserError` type; plain `UserError` simply has no code selected. */
export interface SimUserError {
  field: string[] | null;
  message: string;
  code?: string;
}

export interface FieldEffect {
  field: string;
  sessionGid: string | null;
  effect: MutationEffect;
}

/** Per-request context handed to the resolvers by graphql-js. */
export interface ResolverContext {
  store: SimulatorStore;
  shop: ShopRecord;
  /** The simulator's own origin, for nextAction pages. */
  baseUrl: string;
  effects: FieldEffect[];
}

/** Either a refusal, or the state change to make. */
export type Verdict = SimUserError | (() => void);

export interface SessionMutation<S extends SessionRecord> {
  field: string;
  entityKey: string;
  gid: unknown;
  session: S | undefined;
  notFound: SimUserError;
  decide: (session: S) => Verdict;
  view: (session: S) => unknown;
}

/**
 * The idempotency rule every session mutation shares (reference §4.2): a repeat of the mutation that
 * last changed the session gets the stored answer back, its new arguments ignored; anything else is
 * judged by `decide`, and only an accepted change is stored for later repeats.
 *
 * A refusal carries the session as it stands (once it has a state; `open` has no schema code) so the
 * caller can see what it conflicts with — essential for resolve/reject, whose plain `UserError` has no
 * code. Whether Shopify returns the session or null there is undocumented; the client handles both.
 */
export function mutateSession<S extends SessionRecord>(context: ResolverContext, mutation: SessionMutation<S>): Record<string, unknown> {
  const { field, entityKey, session } = mutation;
  const sessionGid = typeof mutation.gid === "string" ? mutation.gid : null;
  const refuse = (error: SimUserError, current?: S) => {
    context.effects.push({ field, sessionGid, effect: "refused" });
    const entity = current === undefined || current.status === "open" ? null : mutation.view(current);
    return { [entityKey]: entity, userErrors: [error] };
  };

  if (session === undefined) return refuse(mutation.notFound);

  const stored = session.lastMutation === field ? session.answers.get(field) : undefined;
  if (stored !== undefined) {
    context.effects.push({ field, sessionGid, effect: "replayed" });
    return stored as Record<string, unknown>;
  }

  const verdict = mutation.decide(session);
  if (typeof verdict !== "function") return refuse(verdict, session);

  verdict();
  const answer = { [entityKey]: mutation.view(session), userErrors: [] };
  session.lastMutation = field;
  session.answers.set(field, answer);
  context.effects.push({ field, sessionGid, effect: "applied" });
  return answer;
}
