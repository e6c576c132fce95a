/** JSON:API documents and error objects as the Accrue document describes them, and sending them. */
import type { ServerResponse } from "node:http";
import type { Behaviour } from "./knobs";
import type { ResourceObject } from "./store";

export const MEDIA_TYPE = "application/vnd.api+json";

export interface SimResponse {
  readonly status: number;
  /** Absent: an empty body (DELETE). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DocumentExtras {
  readonly included?: readonly ResourceObject[];
  readonly links?: Record<string, string>;
  readonly meta?: Record<string, unknown>;
}

export function documentResponse(status: number, data: ResourceObject | readonly ResourceObject[] | null, extras: DocumentExtras = {}): SimResponse {
  return { status, body: { data, ...extras } };
}

/** One error object: `status` (required), `code` (underscored), `detail`, optional `meta`. */
export function errorResponse(
  behaviour: Behaviour,
  status: number,
  code: string,
  detail: string,
  options: { meta?: Record<string, unknown>; headers?: Record<string, string> } = {},
): SimResponse {
  const spelled = behaviour.errorCodeStyle === "upper" ? code.toUpperCase() : code;
  const error = {
    status: behaviour.errorStatusType === "string" ? String(status) : status,
    code: spelled,
    detail,
    ...(options.meta ? { meta: options.meta } : {}),
  };
  return { status, body: { errors: [error] }, ...(options.headers ? { headers: options.headers } : {}) };
}

/** Several validation problems at once, as the document says schema validation reports them. */
export function validationErrors(behaviour: Behaviour, problems: readonly { pointer: string; detail: string }[]): SimResponse {
  const code = behaviour.errorCodeStyle === "upper" ? "INVALID_REQUEST" : "invalid_request";
  return {
    status: 400,
    body: {
      errors: problems.map((problem) => ({
        status: behaviour.errorStatusType === "string" ? "400" : 400,
        code,
        detail: problem.detail,
        meta: { pointer: problem.pointer },
      })),
    },
  };
}

export function sendJsonApi(res: ServerResponse, response: SimResponse): void {
  if (response.body === undefined) {
    res.writeHead(response.status, { "Content-Length": 0, ...response.headers });
    res.end();
    return;
  }
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, { "Content-Type": MEDIA_TYPE, "Content-Length": Buffer.byteLength(text), ...response.headers });
  res.end(text);
}

/** The body of a request document: wrapped in `data` (JSON:API) or bare, as `shape` allows. */
export function primaryData(body: unknown, shape: "bare" | "wrapped" | "either"): unknown {
  const object = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (object === null) return undefined;
  const wrapped = "data" in object;
  if (wrapped && shape !== "bare") return object.data;
  if (!wrapped && shape !== "wrapped") return object;
  return undefined;
}
