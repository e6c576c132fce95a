/** The merchant `npm run sandbox:accrue` starts with: fixed, so a demo's configuration can name it. Sandbox-only values. */
export const DEMO_MERCHANT = {
  clientId: "5b0c7d0e-3f7a-4c1e-9a55-acc0e0000001",
  clientSecret: "de30000000000000000000000000000000000000000000000000000000000ac0",
} as const;
