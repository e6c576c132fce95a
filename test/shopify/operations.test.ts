import { readFileSync } from "node:fs";
import { buildSchema, Kind, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { PAYMENTS_APPS_DOCUMENTS } from "~/shopify/payments-apps";
import { schemaSdlPath } from "../simulators/shopify";

/** Read straight from the fixture so this test does not depend on the simulator's scalar tweaks. */
function sdlSchema(version: "2026-01" | "2026-04"): GraphQLSchema {
  return buildSchema(readFileSync(schemaSdlPath(version), "utf8"));
}

const schema202604 = sdlSchema("2026-04");
const schema202601 = sdlSchema("2026-01");
const documents = Object.entries(PAYMENTS_APPS_DOCUMENTS);

function validationMessages(schema: GraphQLSchema, document: string): string[] {
  return validate(schema, parse(document)).map((error) => error.message);
}

describe("Payments Apps operation documents", () => {
  it("covers every mutation the app uses", () => {
    expect(Object.keys(PAYMENTS_APPS_DOCUMENTS).sort()).toEqual(
      [
        "CaptureSessionReject",
        "CaptureSessionResolve",
        "PaymentSessionConfirm",
        "PaymentSessionPending",
        "PaymentSessionRedirect",
        "PaymentSessionReject",
        "PaymentSessionResolve",
        "PaymentsAppConfigure",
        "RefundSessionReject",
        "RefundSessionResolve",
        "VoidSessionReject",
        "VoidSessionResolve",
      ].sort(),
    );
  });

  it.each(documents)("%s is one named mutation with that name", (name, document) => {
    const operations = parse(document).definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    expect(operations.map((operation) => [operation.operation, operation.name?.value])).toEqual([["mutation", name]]);
  });

  it.each(documents)("%s validates against the 2026-04 schema", (_name, document) => {
    expect(validationMessages(schema202604, document)).toEqual([]);
  });

  it("all documents also validate against 2026-01 (only variable values such as 2026-04 reason codes differ)", () => {
    const report = Object.fromEntries(documents.map(([name, document]) => [name, validationMessages(schema202601, document)]));
    expect(report).toEqual(Object.fromEntries(documents.map(([name]) => [name, []])));
  });

  it("the validation used here catches the two classic mistakes (reference pitfalls 4 and 5)", () => {
    expect(
      validationMessages(
        schema202604,
        `mutation R($id: ID!) { paymentSessionResolve(id: $id) { paymentSession { state { code } } userErrors { field message } } }`,
      ),
    ).toEqual([
      `Cannot query field "code" on type "PaymentSessionStates". Did you mean to use an inline fragment on "PaymentSessionState", "PaymentSessionStateBuyerActionRequired", "PaymentSessionStateConfirming", "PaymentSessionStatePending", or "PaymentSessionStateRedirecting"?`,
    ]);
    expect(validationMessages(schema202604, `mutation R($id: ID!) { paymentSessionResolve(id: $id) { userErrors { field message code } } }`)).toEqual([
      `Cannot query field "code" on type "UserError".`,
    ]);
  });
});
