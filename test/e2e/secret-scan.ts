import { connect } from "~/lib/migrator.server";

/**
 * After the e2e suite: every card number, API key and access token the tests used must be
 * absent from everything the app logged and from every stored row; no log line or row may
 * carry a security code under any of its usual names.
 */
export const E2E_SECRETS = [
  "4242424242424242",
  "4000000000000002",
  "4000000000003220",
  "4000000000003063",
  "4242 4242 4242 4242",
  "smtgw_sk_test_E2eGoodKey4242",
  "smtgw_sk_test_RevokedKey987654",
  "smtgw_sk_test_E2ePayShopKey0001",
  "shpat_e2e_token",
  "shpat_e2e_pay_token",
  "shpat_e2e_accrue_token",
  // The Accrue demo merchant's Client Secret (test/simulators/accrue/demo-merchant.ts).
  "de30000000000000000000000000000000000000000000000000000000000ac0",
];
const SECURITY_CODE = /(cvv|cvc|verification_value|security.?code)["']?\s*[:=]\s*["']?\d{3,4}/i;

export interface ScanResult {
  scannedLogBytes: number;
  scannedRows: number;
  hits: string[];
}

export async function scanForSecrets(logs: string, databaseUrl: string): Promise<ScanResult> {
  const conn = await connect(databaseUrl);
  const tables =
    conn.provider === "sqlite"
      ? (await conn.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((r) => String(r.name))
      : (await conn.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`)).map((r) => String(r.name));
  const hits: string[] = [];
  let scannedRows = 0;
  for (const table of tables) {
    for (const row of await conn.query(`SELECT * FROM "${table}"`)) {
      scannedRows++;
      const text = JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      for (const secret of E2E_SECRETS) if (text.includes(secret)) hits.push(`${table}: ${secret.slice(0, 6)}…`);
      if (SECURITY_CODE.test(text)) hits.push(`${table}: a security code`);
    }
  }
  await conn.close();
  for (const secret of E2E_SECRETS) if (logs.includes(secret)) hits.push(`app log: ${secret.slice(0, 6)}…`);
  if (SECURITY_CODE.test(logs)) hits.push("app log: a security code");
  return { scannedLogBytes: Buffer.byteLength(logs), scannedRows, hits };
}
