import { readFileSync } from "node:fs";
import { buildSchema, GraphQLError, GraphQLScalarType, Kind, type GraphQLSchema, type ValueNode } from "graphql";

/** API versions the simulator serves; each has its real SDL under test/fixtures. */
export const SIMULATED_API_VERSIONS = ["2026-01", "2026-04"] as const;
export type SimulatedApiVersion = (typeof SIMULATED_API_VERSIONS)[number];

export function isSimulatedApiVersion(version: string): version is SimulatedApiVersion {
  return (SIMULATED_API_VERSIONS as readonly string[]).includes(version);
}

export function schemaSdlPath(version: SimulatedApiVersion): string {
  return new URL(`../../fixtures/payments-apps-schema/payments-apps_${version}.graphql`, import.meta.url).pathname;
}

const cache = new Map<SimulatedApiVersion, GraphQLSchema>();

/** The real schema of one version, with DateTime and URL checked the way Shopify's scalars would. */
export function loadSchema(version: SimulatedApiVersion): GraphQLSchema {
  let schema = cache.get(version);
  if (schema === undefined) {
    schema = buildSchema(readFileSync(schemaSdlPath(version), "utf8"));
    strictenScalar(schema, "DateTime", parseDateTime);
    strictenScalar(schema, "URL", parseUrl);
    cache.set(version, schema);
  }
  return schema;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`Invalid DateTime: ${JSON.stringify(value)}`);
  }
  return value;
}

function parseUrl(value: unknown): string {
  // Shopify wants https for 3DS pages; http is accepted so the local demo can run without TLS.
  if (typeof value === "string" && URL.canParse(value)) {
    const url = new URL(value);
    if ((url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "") return value;
  }
  throw new GraphQLError(`Invalid URL: ${JSON.stringify(value)}`);
}

/** buildSchema gives custom scalars identity parsing; replace it so bad input fails coercion. */
function strictenScalar(schema: GraphQLSchema, name: string, parse: (value: unknown) => string): void {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLScalarType)) throw new Error(`Scalar ${name} missing from schema`);
  type.parseValue = parse;
  type.parseLiteral = (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string`);
    return parse(ast.value);
  };
}
