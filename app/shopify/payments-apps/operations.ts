/**
 * Every GraphQL document the app sends to the Payments Apps API, as plain strings: the Remix build
 * has no .graphql loader. test/shopify/operations.test.ts validates each one against the 2026-04
 * schema with graphql-js, so a typo fails the test suite instead of a live payment.
 *
 * Schema traps these documents avoid (each one makes Shopify reject the whole document):
 * - `state` is a union: its `code` is only reachable through `... on <X>State { code }`.
 * - `paymentSessionResolve`, `paymentSessionReject` and `paymentsAppConfigure` return plain
 *   `UserError`, which has no `code`; selecting it there invalidates the whole document.
 * - `reason` exists on both the pending and the rejected state with different enum types, so the two
 *   selections are aliased (`pendingReason`, `rejectedReason`) to be mergeable.
 */

/** Identity tag: marks a template literal as GraphQL for editors and keeps interpolation of fragments. */
const gql = (strings: TemplateStringsArray, ...fragments: string[]): string => String.raw({ raw: strings }, ...fragments);

const PAYMENT_SESSION_FIELDS = gql`
  fragment PaymentSessionFields on PaymentSession {
    id
    state {
      __typename
      ... on PaymentSessionState {
        code
      }
      ... on PaymentSessionStatePending {
        pendingReason: reason
      }
      ... on PaymentSessionStateRejected {
        rejectedReason: reason
        merchantMessage
      }
    }
    nextAction {
      action
      context {
        __typename
        ... on PaymentSessionActionsRedirect {
          redirectUrl
        }
      }
    }
    authorizationExpiresAt
    pendingExpiresAt
  }
`;

export const PAYMENT_SESSION_RESOLVE = gql`
  mutation PaymentSessionResolve(
    $id: ID!
    $authorizationExpiresAt: DateTime
    $networkTransactionId: String
    $authentication: PaymentSessionThreeDSecureAuthentication
    $paymentDetails: PaymentSessionPaymentDetails
  ) {
    paymentSessionResolve(
      id: $id
      authorizationExpiresAt: $authorizationExpiresAt
      networkTransactionId: $networkTransactionId
      authentication: $authentication
      paymentDetails: $paymentDetails
    ) {
      paymentSession {
        ...PaymentSessionFields
      }
      userErrors {
        field
        message
      }
    }
  }
  ${PAYMENT_SESSION_FIELDS}
`;

export const PAYMENT_SESSION_REJECT = gql`
  mutation PaymentSessionReject(
    $id: ID!
    $reason: PaymentSessionRejectionReasonInput!
    $authentication: PaymentSessionThreeDSecureAuthentication
    $paymentDetails: PaymentSessionPaymentDetails
  ) {
    paymentSessionReject(id: $id, reason: $reason, authentication: $authentication, paymentDetails: $paymentDetails) {
      paymentSession {
        ...PaymentSessionFields
      }
      userErrors {
        field
        message
      }
    }
  }
  ${PAYMENT_SESSION_FIELDS}
`;

export const PAYMENT_SESSION_PENDING = gql`
  mutation PaymentSessionPending($id: ID!, $pendingExpiresAt: DateTime!, $reason: PaymentSessionStatePendingReason!) {
    paymentSessionPending(id: $id, pendingExpiresAt: $pendingExpiresAt, reason: $reason) {
      paymentSession {
        ...PaymentSessionFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
  ${PAYMENT_SESSION_FIELDS}
`;

export const PAYMENT_SESSION_REDIRECT = gql`
  mutation PaymentSessionRedirect($id: ID!, $redirectUrl: URL!) {
    paymentSessionRedirect(id: $id, redirectUrl: $redirectUrl) {
      paymentSession {
        ...PaymentSessionFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
  ${PAYMENT_SESSION_FIELDS}
`;

export const PAYMENT_SESSION_CONFIRM = gql`
  mutation PaymentSessionConfirm($id: ID!) {
    paymentSessionConfirm(id: $id) {
      paymentSession {
        ...PaymentSessionFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
  ${PAYMENT_SESSION_FIELDS}
`;

export const REFUND_SESSION_RESOLVE = gql`
  mutation RefundSessionResolve($id: ID!) {
    refundSessionResolve(id: $id) {
      refundSession {
        id
        state {
          __typename
          ... on RefundSessionState {
            code
          }
          ... on RefundSessionStateRejected {
            rejectedReason: reason
            merchantMessage
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const REFUND_SESSION_REJECT = gql`
  mutation RefundSessionReject($id: ID!, $reason: RefundSessionRejectionReasonInput!) {
    refundSessionReject(id: $id, reason: $reason) {
      refundSession {
        id
        state {
          __typename
          ... on RefundSessionState {
            code
          }
          ... on RefundSessionStateRejected {
            rejectedReason: reason
            merchantMessage
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const CAPTURE_SESSION_RESOLVE = gql`
  mutation CaptureSessionResolve($id: ID!) {
    captureSessionResolve(id: $id) {
      captureSession {
        id
        state {
          __typename
          ... on CaptureSessionState {
            code
          }
          ... on CaptureSessionStateRejected {
            rejectedReason: reason
            merchantMessage
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const CAPTURE_SESSION_REJECT = gql`
  mutation CaptureSessionReject($id: ID!, $reason: CaptureSessionRejectionReasonInput!) {
    captureSessionReject(id: $id, reason: $reason) {
      captureSession {
        id
        state {
          __typename
          ... on CaptureSessionState {
            code
          }
          ... on CaptureSessionStateRejected {
            rejectedReason: reason
            merchantMessage
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const VOID_SESSION_RESOLVE = gql`
  mutation VoidSessionResolve($id: ID!) {
    voidSessionResolve(id: $id) {
      voidSession {
        id
        state {
          __typename
          ... on VoidSessionState {
            code
          }
          ... on VoidSessionStateRejected {
            rejectedReason: reason
            merchantMessage
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const VOID_SESSION_REJECT = gql`
  mutation VoidSessionReject($id: ID!, $reason: VoidSessionRejectionReasonInput!) {
    voidSessionReject(id: $id, reason: $reason) {
      voidSession {
        id
        state {
          __typename
          ... on VoidSessionState {
            code
          }
          ... on VoidSessionStateRejected {
            rejectedReason: reason
            merchantMessage
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const PAYMENTS_APP_CONFIGURE = gql`
  mutation PaymentsAppConfigure($externalHandle: String, $ready: Boolean!) {
    paymentsAppConfigure(externalHandle: $externalHandle, ready: $ready) {
      paymentsAppConfiguration {
        externalHandle
        ready
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Every document by operation name; the validation test iterates over this. */
export const PAYMENTS_APPS_DOCUMENTS = {
  PaymentSessionResolve: PAYMENT_SESSION_RESOLVE,
  PaymentSessionReject: PAYMENT_SESSION_REJECT,
  PaymentSessionPending: PAYMENT_SESSION_PENDING,
  PaymentSessionRedirect: PAYMENT_SESSION_REDIRECT,
  PaymentSessionConfirm: PAYMENT_SESSION_CONFIRM,
  RefundSessionResolve: REFUND_SESSION_RESOLVE,
  RefundSessionReject: REFUND_SESSION_REJECT,
  CaptureSessionResolve: CAPTURE_SESSION_RESOLVE,
  CaptureSessionReject: CAPTURE_SESSION_REJECT,
  VoidSessionResolve: VOID_SESSION_RESOLVE,
  VoidSessionReject: VOID_SESSION_REJECT,
  PaymentsAppConfigure: PAYMENTS_APP_CONFIGURE,
} as const;

export type PaymentsAppsOperationName = keyof typeof PAYMENTS_APPS_DOCUMENTS;
