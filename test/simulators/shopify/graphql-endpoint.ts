import type { IncomingMessage, ServerResponse } from "node:http";
import { execute, GraphQLError, Kind, parse, validate, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { z } from "zod";
import type { FaultDecision, FaultPlan } from "./faults";
import { readBody, sendJson } from "./http-utils";
import { requestId } from "./ids";
import type { ResolverContext } from "./mutation-rules";
import { createRootValue } from "./resolvers";
import { isSimulatedApiVersion, loadSchema } from "./schema";
import type { AnswerDelivery, SimulatorStore } from "./store";

export interface GraphQLEndpointDeps {
  store: SimulatorStore;
  faults: FaultPlan;
  baseUrl: string;
  /** Requests held open by a `hang` fault; closed by the simulator on reset/close. */
  hung: Set<ServerResponse>;
}

const graphQLRequestSchema = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

const rootValue = createRootValue();

/** Shopify's answer to an unknown or missing token. */
const INVALID_TOKEN_BODY = { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" };

/**
 * POST /payments_apps/api/:version/graphql.json — in Shopify's order: version, token, body, then the
 * GraphQL document is parsed, validated against that version's real schema and executed.
 */
export async function handleGraphQLRequest(request: IncomingMessage, response: ServerResponse, version: string, deps: GraphQLEndpointDeps): Promise<void> {
  if (!isSimulatedApiVersion(version)) return sendJson(response, 404, { errors: "Not Found" });

  const token = request.headers["x-shopify-access-token"];
  const shop = typeof token === "string" ? deps.store.shopForToken(token) : undefined;
  if (shop === undefined) return sendJson(response, 401, INVALID_TOKEN_BODY);

  let body: z.infer<typeof graphQLRequestSchema>;
  try {
    body = graphQLRequestSchema.parse(JSON.parse(await readBody(request)));
  } catch {
    return sendJson(response, 400, { errors: { query: "Required parameter missing or invalid" } });
  }

  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (error) {
    if (applyFaultBefore(deps.faults.decide([], shop.shop), request, response, deps)) return;
    const syntaxError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
    return sendJson(response, 200, { errors: [syntaxError.toJSON()] });
  }

  const operation = selectOperation(document, body.operationName ?? undefined);
  const fields = operation === undefined ? [] : rootFieldNames(operation);
  const fault = deps.faults.decide(fields, shop.shop);
  if (applyFaultBefore(fault, request, response, deps)) return;

  const schema = loadSchema(version);
  const validationErrors = validate(schema, document);
  if (validationErrors.length > 0) {
    return sendJson(response, 200, { errors: validationErrors.map((error) => error.toJSON()) });
  }

  const context: ResolverContext = { store: deps.store, shop, baseUrl: deps.baseUrl, effects: [] };
  const result = await execute({
    schema,
    document,
    rootValue,
    contextValue: context,
    variableValues: body.variables ?? {},
    operationName: body.operationName ?? undefined,
  });
  const isMutation = operation?.operation === "mutation";
  const answer = {
    ...(result.errors === undefined ? {} : { errors: result.errors.map((error) => error.toJSON()) }),
    data: result.data ?? null,
    extensions: { cost: queryCost(isMutation, false) },
  };

  const answerDelivery: AnswerDelivery = fault === null ? "sent" : fault.kind === "throttled" ? "sent" : fault.kind;
  for (const effect of context.effects) {
    deps.store.record({
      apiVersion: version,
      shop: shop.shop,
      operationName: body.operationName ?? operation?.name?.value ?? null,
      field: effect.field,
      sessionGid: effect.sessionGid,
      variables: body.variables ?? {},
      effect: effect.effect,
      answer,
      answerDelivery,
    });
  }

  if (fault !== null) return applyFault(fault, request, response, deps);
  sendJson(response, 200, answer, { "x-request-id": requestId() });
}

function applyFaultBefore(fault: FaultDecision | null, request: IncomingMessage, response: ServerResponse, deps: GraphQLEndpointDeps): boolean {
  if (fault === null || fault.phase !== "before") return false;
  applyFault(fault, request, response, deps);
  return true;
}

function applyFault(fault: FaultDecision, request: IncomingMessage, response: ServerResponse, deps: GraphQLEndpointDeps): void {
  switch (fault.kind) {
    case "http-5xx":
      return sendJson(response, fault.status, { errors: "Internal Server Error" });
    case "throttled":
      return sendJson(response, 200, {
        errors: [
          {
            message: "Throttled",
            extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
          },
        ],
        extensions: { cost: queryCost(true, true) },
      });
    case "internal-error": {
      const id = requestId();
      return sendJson(response, 200, {
        errors: [
          {
            message: `Internal error. Looks like something went wrong on our end.\nRequest ID: ${id} (include this in support requests).`,
            extensions: { code: "INTERNAL_SERVER_ERROR", requestId: id },
          },
        ],
      });
    }
    case "hang":
      deps.hung.add(response);
      response.on("close", () => deps.hung.delete(response));
      return;
    case "connection-reset":
      request.socket.destroy();
      return;
  }
}

function selectOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operationName === undefined) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((operation) => operation.name?.value === operationName);
}

function rootFieldNames(operation: OperationDefinitionNode): string[] {
  return operation.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : []));
}

/** Bucket figures observed on real payments-apps responses (reference §4.2). */
function queryCost(isMutation: boolean, throttled: boolean): Record<string, unknown> {
  const maximumAvailable = 1_092_000;
  const requestedQueryCost = isMutation ? 10 : 1;
  return {
    requestedQueryCost,
    actualQueryCost: throttled ? null : requestedQueryCost,
    throttleStatus: {
      maximumAvailable,
      currentlyAvailable: throttled ? 0 : maximumAvailable - requestedQueryCost,
      restoreRate: 54_600,
    },
  };
}
