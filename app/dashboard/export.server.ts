import { csvLine } from "~/dashboard/csv";
import type { TransactionFilters } from "~/dashboard/filters";
import { fetchRows, toRow, transactionConditions, type TransactionRow } from "~/dashboard/transactions.server";

/** Rows per database round trip: large enough to be quick, small enough to keep memory flat. */
export const EXPORT_BATCH_SIZE = 500;

const COLUMNS: readonly [string, (row: TransactionRow) => string | boolean | null][] = [
  ["created_at", (r) => r.createdAt],
  ["shopify_payment_id", (r) => r.shopifyId],
  ["group", (r) => r.group],
  ["kind", (r) => r.kind],
  ["amount", (r) => r.amount],
  ["currency", (r) => r.currency],
  ["mode", (r) => (r.test ? "test" : "live")],
  ["status", (r) => r.status],
  ["status_label", (r) => r.statusLabel],
  ["refunded", (r) => r.refunded],
  ["captured", (r) => r.captured],
  ["notes", (r) => r.notes.join("; ")],
  // The gateway's id ("accrue"), not its display name: a stable value to filter a spreadsheet on,
  // next to the id that gateway gave the payment.
  ["gateway", (r) => r.gateway],
  ["gateway_payment_id", (r) => r.gatewayPaymentId],
  ["provider", (r) => r.provider],
  ["id", (r) => r.id],
];

export const CSV_HEADER = csvLine(COLUMNS.map(([name]) => name));

/**
 * The filtered transactions as a CSV byte stream, newest first. Each pull reads the next
 * batch by cursor, so memory stays at one batch whatever the number of rows, and a client
 * that stops reading stops the queries (the stream is pulled, not pushed).
 */
export function transactionsCsvStream(shopId: string, filters: TransactionFilters, batchSize = EXPORT_BATCH_SIZE): ReadableStream<Uint8Array> {
  let wheres: Awaited<ReturnType<typeof transactionConditions>> | null = null;
  const encoder = new TextEncoder();
  let cursor: { createdAt: Date; id: string } | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          wheres = await transactionConditions(shopId, filters);
          controller.enqueue(encoder.encode(CSV_HEADER));
          return;
        }
        const batch = await fetchRows(wheres!, cursor, "older", batchSize);
        if (batch.length) {
          controller.enqueue(encoder.encode(batch.map((row) => csvLine(COLUMNS.map(([, value]) => value(toRow(row))))).join("")));
          cursor = batch[batch.length - 1]!;
        }
        if (batch.length < batchSize) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}
