import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link as RemixLink, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  EmptySearchResult,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  InlineStack,
  Page,
  Text,
  TextField,
  useSetIndexFiltersMode,
  type IndexFiltersProps,
} from "@shopify/polaris";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { FILTER_PARAMS, filterParams, parseTransactionSearch } from "~/dashboard/filters";
import { gatewayChoices } from "~/dashboard/gateways.server";
import { findProblems } from "~/dashboard/problems.server";
import { STATUS_CHOICES, STATUS_LABELS } from "~/dashboard/status";
import { findShop, listTransactions } from "~/dashboard/transactions.server";
import { formatDateTime, ProblemsBanners } from "~/dashboard/ui/problems-banner";
import { authenticateMerchant } from "~/shopify/merchant-auth.server";

export const meta: MetaFunction = () => [{ title: "Transactions · Accelebit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticateMerchant(request);
  const shop = await findShop(session.shop);
  if (!shop) throw new Response("This shop has not installed the app", { status: 404 });
  const search = parseTransactionSearch(new URL(request.url).searchParams);
  if (!search.ok) throw new Response(search.message, { status: 400 });
  const [page, problems] = await Promise.all([listTransactions(shop.id, search.filters, search.page), findProblems(shop.id)]);
  const query = filterParams(search.filters).toString();
  return json({
    ...page,
    filters: search.filters,
    gatewayChoices: gatewayChoices(),
    problems,
    exportUrl: `/app/transactions/export.csv${query ? `?${query}` : ""}`,
  });
}

const MODE_CHOICES = [
  { value: "test", label: "Test" },
  { value: "live", label: "Live" },
];

const statusLabel = (value: string) => STATUS_LABELS[value as keyof typeof STATUS_LABELS] ?? value;

export default function TransactionsPage() {
  const { rows, nextCursor, previousCursor, filters, gatewayChoices, problems, exportUrl } = useLoaderData<typeof loader>();
  const [currentParams, setSearchParams] = useSearchParams();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/app/transactions";
  // While the next list loads, the controls already show what was chosen, and a second
  // change builds on the first.
  const pendingSearch = loading ? navigation.location.search : null;
  const searchParams = useMemo(() => (pendingSearch === null ? currentParams : new URLSearchParams(pendingSearch)), [pendingSearch, currentParams]);
  const chosenStatuses = searchParams.getAll("status").flatMap((v) => v.split(","));
  const chosenMode = searchParams.get("mode");
  const chosenGateway = searchParams.get("gateway");
  // The search field is shown at once: searching by a Shopify or gateway id is the main use.
  const { mode, setMode } = useSetIndexFiltersMode(IndexFiltersMode.Filtering);

  /** Any filter change starts again from the newest page. */
  const update = useCallback(
    (change: (params: URLSearchParams) => void) => {
      const params = new URLSearchParams(searchParams);
      params.delete("after");
      params.delete("before");
      change(params);
      setSearchParams(params, { replace: true, preventScrollReset: true });
    },
    [searchParams, setSearchParams],
  );
  const setParam = useCallback((name: string, values: string[]) => update((p) => (p.delete(name), values.forEach((v) => p.append(name, v)))), [update]);

  // The query field follows typing; the list follows after a pause.
  const [query, setQuery] = useState(filters.query ?? "");
  const pendingQuery = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => setQuery(filters.query ?? ""), [filters.query]);
  useEffect(() => () => clearTimeout(pendingQuery.current), []);
  const onQueryChange = (value: string) => {
    setQuery(value);
    clearTimeout(pendingQuery.current);
    pendingQuery.current = setTimeout(() => setParam("q", value.trim() ? [value.trim()] : []), 400);
  };

  const [from, setFrom] = useState(filters.from ?? "");
  const [to, setTo] = useState(filters.to ?? "");
  useEffect(() => setFrom(filters.from ?? ""), [filters.from]);
  useEffect(() => setTo(filters.to ?? ""), [filters.to]);
  const applyDates = (nextFrom: string, nextTo: string) =>
    update((p) => {
      p.delete("from");
      p.delete("to");
      if (nextFrom) p.set("from", nextFrom);
      if (nextTo) p.set("to", nextTo);
    });

  const filterControls: IndexFiltersProps["filters"] = [
    {
      key: "status",
      label: "Status",
      pinned: true,
      filter: (
        <ChoiceList title="Status" titleHidden choices={STATUS_CHOICES} selected={chosenStatuses} onChange={(v) => setParam("status", v)} allowMultiple />
      ),
    },
    {
      key: "mode",
      label: "Mode",
      pinned: true,
      filter: <ChoiceList title="Mode" titleHidden choices={MODE_CHOICES} selected={chosenMode ? [chosenMode] : []} onChange={(v) => setParam("mode", v)} />,
    },
    {
      key: "gateway",
      label: "Gateway",
      pinned: true,
      filter: (
        <ChoiceList
          title="Gateway"
          titleHidden
          choices={gatewayChoices}
          selected={chosenGateway ? [chosenGateway] : []}
          onChange={(v) => setParam("gateway", v)}
        />
      ),
    },
    {
      key: "date",
      label: "Date",
      pinned: true,
      filter: (
        <BlockStack gap="200">
          <TextField label="From (UTC)" type="date" value={from} onChange={(v) => (setFrom(v), applyDates(v, to))} autoComplete="off" />
          <TextField label="To (UTC)" type="date" value={to} onChange={(v) => (setTo(v), applyDates(from, v))} autoComplete="off" />
        </BlockStack>
      ),
    },
  ];
  const appliedFilters: IndexFiltersProps["appliedFilters"] = [
    ...(filters.statuses.length
      ? [{ key: "status", label: `Status: ${filters.statuses.map(statusLabel).join(", ")}`, onRemove: () => setParam("status", []) }]
      : []),
    ...(filters.mode ? [{ key: "mode", label: `Mode: ${filters.mode === "test" ? "Test" : "Live"}`, onRemove: () => setParam("mode", []) }] : []),
    ...(filters.gateway
      ? [
          {
            key: "gateway",
            label: `Gateway: ${gatewayChoices.find((g) => g.value === filters.gateway)?.label ?? filters.gateway}`,
            onRemove: () => setParam("gateway", []),
          },
        ]
      : []),
    ...(filters.from || filters.to
      ? [{ key: "date", label: `Date: ${filters.from ?? "…"} to ${filters.to ?? "…"} (UTC)`, onRemove: () => applyDates("", "") }]
      : []),
  ];
  const filtered = appliedFilters.length > 0 || Boolean(filters.query);
  const clearAll = () => {
    setQuery("");
    update((p) => FILTER_PARAMS.forEach((name) => p.delete(name)));
  };
  const goTo = (name: "after" | "before", cursor: string) => {
    const params = new URLSearchParams(searchParams);
    params.delete("after");
    params.delete("before");
    params.set(name, cursor);
    setSearchParams(params);
  };

  return (
    <Page
      title="Transactions"
      backAction={{ content: "Accelebit settings", url: "/app" }}
      primaryAction={
        <Button url={exportUrl} download>
          Export CSV
        </Button>
      }
    >
      <BlockStack gap="400">
        <ProblemsBanners problems={problems} />
        <Card padding="0">
          <IndexFilters
            tabs={[]}
            selected={0}
            onSelect={() => undefined}
            queryValue={query}
            queryPlaceholder="Search by Shopify payment ID, gateway ID or checkout group"
            onQueryChange={onQueryChange}
            onQueryClear={() => onQueryChange("")}
            filters={filterControls}
            appliedFilters={appliedFilters}
            onClearAll={clearAll}
            mode={mode}
            setMode={setMode}
            cancelAction={{ onAction: clearAll }}
            canCreateNewView={false}
            loading={loading}
          />
          <IndexTable
            resourceName={{ singular: "transaction", plural: "transactions" }}
            itemCount={rows.length}
            selectable={false}
            loading={loading}
            headings={[
              { title: "Date" },
              { title: "Shopify payment ID" },
              { title: "Amount", alignment: "end" },
              { title: "Mode" },
              { title: "Status" },
              { title: "Gateway" },
              { title: "Gateway payment ID" },
              { title: "Provider" },
            ]}
            emptyState={
              filtered ? (
                <EmptySearchResult title="No transactions match" description="Try other filters, or search for an exact ID." withIllustration />
              ) : (
                <EmptySearchResult title="No transactions yet" description="Payments appear here as soon as Shopify sends them to Accelebit." />
              )
            }
            pagination={{
              hasNext: nextCursor !== null,
              hasPrevious: previousCursor !== null,
              onNext: () => nextCursor && goTo("after", nextCursor),
              onPrevious: () => previousCursor && goTo("before", previousCursor),
            }}
          >
            {rows.map((row, index) => (
              <IndexTable.Row id={row.id} key={row.id} position={index}>
                <IndexTable.Cell>{formatDateTime(row.createdAt)}</IndexTable.Cell>
                <IndexTable.Cell>
                  {/* The row's primary link: Polaris forwards a click anywhere on the row to it. */}
                  <RemixLink to={`/app/transactions/${row.id}`} data-primary-link onClick={(e) => e.stopPropagation()} style={{ color: "inherit" }}>
                    <Text as="span" fontWeight="semibold">
                      {row.shopifyId}
                    </Text>
                  </RemixLink>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {row.amount} {row.currency}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{row.test ? <Badge>Test</Badge> : <Badge tone="success">Live</Badge>}</IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="100" blockAlign="center" wrap={false}>
                    <Badge tone={row.statusTone}>{row.statusLabel}</Badge>
                    {row.notes.map((note) => (
                      <Text as="span" tone="subdued" key={note}>
                        {note}
                      </Text>
                    ))}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{row.gatewayName}</IndexTable.Cell>
                <IndexTable.Cell>{row.gatewayPaymentId ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>{row.provider ?? "—"}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}
