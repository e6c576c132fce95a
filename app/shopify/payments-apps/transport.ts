import { ClientError, type GraphQLClient } from "graphql-request";
import { failureFromHttpStatus, failureFromThrown, type GraphQLErrorLike } from "./failures";
import type { PaymentsAppsFailure } from "./outcome";

/** One HTTP exchange with the Payments Apps API, before any GraphQL meaning is read into it. */
export type ExchangeResult =
  | { type: "graphql"; data: unknown; errors: readonly GraphQLErrorLike[]; extensions: unknown }
  | { type: "unauthorized" }
  | { type: "failed"; failure: PaymentsAppsFailure };

export interface ExchangeRequest {
  document: string;
  variables: Record<string, unknown>;
  accessToken: string;
  timeoutMs: number;
}

/**
 * Posts one document. The GraphQLClient must be built with `errorPolicy: "all"` so that an HTTP 200
 * with errors[] (throttling, access denied) comes back as data to classify rather than as a throw.
 */
export async function exchange(client: GraphQLClient, request: ExchangeRequest): Promise<ExchangeResult> {
  try {
    const response = await client.rawRequest<unknown, Record<string, unknown>>({
      query: request.document,
      variables: request.variables,
      requestHeaders: { "X-Shopify-Access-Token": request.accessToken },
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return { type: "graphql", data: response.data, errors: response.errors ?? [], extensions: response.extensions };
  } catch (error) {
    // ClientError only carries non-2xx answers here. Its message embeds the request variables,
    // so it is never logged or copied: only the status is used.
    if (error instanceof ClientError) {
      const status = error.response.status;
      if (status === 401) return { type: "unauthorized" };
      return { type: "failed", failure: failureFromHttpStatus(status, error.response.headers?.get("retry-after") ?? null) };
    }
    return { type: "failed", failure: failureFromThrown(error) };
  }
}
