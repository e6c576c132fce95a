import type { LoaderFunctionArgs } from "@remix-run/node";
import { transactionsCsvStream } from "~/dashboard/export.server";
import { parseTransactionSearch } from "~/dashboard/filters";
import { findShop } from "~/dashboard/transactions.server";
import { authenticateMerchant } from "~/shopify/merchant-auth.server";

/** GET /app/transactions/export.csv?<the list's filters>: the filtered transactions, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticateMerchant(request);
  const shop = await findShop(session.shop);
  if (!shop) throw new Response("This shop has not installed the app", { status: 404 });
  const search = parseTransactionSearch(new URL(request.url).searchParams);
  if (!search.ok) throw new Response(search.message, { status: 400 });
  // The whole filtered list, whatever page the merchant was looking at.
  const filename = `transactions-${shop.domain.replace(/\.myshopify\.com$/, "")}-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(transactionsCsvStream(shop.id, search.filters), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
