import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { loadTransactionDetail, retrySessionJob, type TransactionDetail } from "~/dashboard/transaction-detail.server";
import { findShop } from "~/dashboard/transactions.server";
import { formatDateTime } from "~/dashboard/ui/problems-banner";
import { readFormBody } from "~/lib/http.server";
import { isUrlToken } from "~/lib/text";
import { authenticateMerchant } from "~/shopify/merchant-auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.transaction.shopifyId ?? "Transaction"} · Accelebit` }];

async function shopOf(request: Request) {
  const { session } = await authenticateMerchant(request);
  const shop = await findShop(session.shop);
  if (!shop) throw new Response("This shop has not installed the app", { status: 404 });
  return shop;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = await shopOf(request);
  // Ids are ours (cuid): any other shape names no transaction, and is not looked up.
  const detail = isUrlToken(params.id ?? "") ? await loadTransactionDetail(shop.id, params.id!) : null;
  // Another shop's session is "not found" too: nothing tells it exists.
  if (!detail) throw new Response("Transaction not found", { status: 404 });
  return json(detail);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const shop = await shopOf(request);
  const form = await readFormBody(request, 4 * 1024);
  const jobId = form.get("jobId");
  if (form.get("intent") !== "retry-job" || typeof jobId !== "string" || !jobId) return json({ status: "invalid" as const }, { status: 400 });
  if (!isUrlToken(params.id ?? "") || !isUrlToken(jobId)) return json({ status: "not-found" as const }, { status: 404 });
  const result = await retrySessionJob(shop.id, params.id!, jobId);
  const status = result === "retried" ? 200 : result === "not-found" ? 404 : 409;
  return json({ status: result }, { status });
}

const JOB_TONES: Record<string, "success" | "critical" | "info" | undefined> = { done: "success", dead: "critical", running: "info", pending: undefined };

export default function TransactionPage() {
  const detail = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const retrying = useNavigation().state === "submitting";
  const t = detail.transaction;

  return (
    <Page
      title={t.shopifyId}
      titleMetadata={
        <InlineStack gap="100">
          <Badge tone={t.statusTone}>{t.statusLabel}</Badge>
          {t.test ? <Badge>Test</Badge> : <Badge tone="success">Live</Badge>}
        </InlineStack>
      }
      subtitle={`${t.amount} ${t.currency} · ${formatDateTime(t.createdAt)}`}
      backAction={{ content: "Transactions", url: "/app/transactions" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.status === "retried" && (
              <Banner tone="success" title="Task scheduled again">
                <p>It runs within a few seconds; reload to follow it.</p>
              </Banner>
            )}
            {result && result.status !== "retried" && (
              <Banner tone="warning" title="The task could not be retried">
                <p>{result.status === "not-dead" ? "It is no longer stopped: it is already running or done." : "No such task on this payment."}</p>
              </Banner>
            )}
            <Timeline timeline={detail.timeline} />
            <Attempts attempts={detail.attempts} labels={t.gatewayLabels} />
            <Finalized title="Refunds" rows={detail.refunds} />
            <Finalized title="Captures" rows={detail.captures} />
            <Finalized title="Voids" rows={detail.voids} />
            <Jobs jobs={detail.jobs} retrying={retrying} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Payment
              </Text>
              <Fact label="Amount" value={`${t.amount} ${t.currency}`} />
              {t.notes.map((note) => (
                <Text as="p" key={note}>
                  {note}
                </Text>
              ))}
              <Fact label="Kind" value={t.kind} />
              <Fact label="Shopify payment ID" value={t.shopifyId} testId="shopify-id" />
              <Fact label="Checkout group" value={t.group} />
              <Fact label="Gateway" value={t.gatewayName} testId="gateway" />
              <Fact label={t.gatewayLabels.paymentId} value={t.gatewayPaymentId} testId="gateway-payment-id" />
              <Fact label="Provider" value={t.provider} />
              <Fact label={t.gatewayLabels.status} value={t.gatewayStatus} />
              <Fact label="Shopify state" value={t.shopifyState} />
              <Fact label="Pending until" value={t.pendingExpiresAt && formatDateTime(t.pendingExpiresAt)} />
              <Fact label="Authorized until" value={t.authorizationExpiresAt && formatDateTime(t.authorizationExpiresAt)} />
              <Fact label="Rejected because" value={t.rejectReason && [t.rejectReason, t.merchantMessage].filter(Boolean).join(": ")} />
              <Fact label="Finished" value={t.finalizedAt && formatDateTime(t.finalizedAt)} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Fact({ label, value, testId }: { label: string; value: string | null; testId?: string }) {
  if (!value) return null;
  return (
    <BlockStack gap="0">
      <Text as="span" tone="subdued" variant="bodySm">
        {label}
      </Text>
      <span data-testid={testId}>
        <Text as="span" breakWord>
          {value}
        </Text>
      </span>
    </BlockStack>
  );
}

function Timeline({ timeline }: { timeline: TransactionDetail["timeline"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Timeline
        </Text>
        {timeline.length === 0 && (
          <Text as="p" tone="subdued">
            Nothing recorded yet.
          </Text>
        )}
        <ol aria-label="Timeline" style={{ margin: 0, paddingLeft: 0, listStyle: "none" }}>
          {timeline.map((event) => (
            <li key={event.id}>
              <Box paddingBlockEnd="300">
                <InlineStack gap="200" wrap={false} blockAlign="start">
                  <Box minWidth="9.5rem">
                    <Text as="span" tone="subdued" variant="bodySm">
                      {formatDateTime(event.at)}
                    </Text>
                  </Box>
                  <BlockStack gap="050">
                    <Text as="span">{event.summary}</Text>
                    {event.detail.length > 0 && (
                      <Text as="span" tone="subdued" variant="bodySm" breakWord>
                        {event.detail.map(([key, value]) => `${key}: ${value}`).join(" · ")}
                      </Text>
                    )}
                  </BlockStack>
                </InlineStack>
              </Box>
            </li>
          ))}
        </ol>
      </BlockStack>
    </Card>
  );
}

function Attempts({ attempts, labels }: { attempts: TransactionDetail["attempts"]; labels: TransactionDetail["transaction"]["gatewayLabels"] }) {
  if (!attempts.length) return null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Payment attempts
        </Text>
        {/* Times are on the timeline; without them the table fits beside the payment card. */}
        <DataTable
          columnContentTypes={["numeric", "text", "text", "text", "text"]}
          headings={["#", "Card", "Outcome", labels.error, labels.paymentId]}
          increasedTableDensity
          rows={attempts.map((a) => [
            a.number,
            [a.cardBrand, a.cardLast4 && `•••• ${a.cardLast4}`].filter(Boolean).join(" ") || "—",
            a.status,
            a.errorName ?? "—",
            a.gatewayPaymentId ?? "—",
          ])}
        />
      </BlockStack>
    </Card>
  );
}

function Finalized({ title, rows }: { title: string; rows: TransactionDetail["refunds"] }) {
  if (!rows.length) return null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <DataTable
          columnContentTypes={["text", "text", "numeric", "text", "text"]}
          headings={["Time", "Shopify ID", "Amount", "Status", "Details"]}
          rows={rows.map((r) => [
            formatDateTime(r.at),
            r.shopifyId,
            r.amount ?? "—",
            r.statusLabel,
            [r.gatewayRecordId && `${r.gatewayRecordLabel} ${r.gatewayRecordId}`, r.merchantMessage].filter(Boolean).join(" · ") || "—",
          ])}
        />
      </BlockStack>
    </Card>
  );
}

function Jobs({ jobs, retrying }: { jobs: TransactionDetail["jobs"]; retrying: boolean }) {
  if (!jobs.length) return null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Background tasks
        </Text>
        {jobs.map((job) => (
          <BlockStack gap="100" key={job.id}>
            <InlineStack gap="200" blockAlign="center">
              <Text as="span" fontWeight="semibold">
                {job.label}
              </Text>
              <Badge tone={JOB_TONES[job.status]}>{job.status === "dead" ? "Stopped retrying" : job.status}</Badge>
              <Text as="span" tone="subdued">
                {job.attempts} of {job.maxAttempts} attempts
                {job.status === "pending" ? ` · next ${formatDateTime(job.runAt)}` : ""}
              </Text>
            </InlineStack>
            {job.lastError && (
              <Text as="p" tone={job.status === "dead" ? "critical" : "subdued"} breakWord>
                Last error: {job.lastError}
              </Text>
            )}
            {job.status === "dead" && (
              <Form method="post">
                <input type="hidden" name="intent" value="retry-job" />
                <input type="hidden" name="jobId" value={job.id} />
                <Button submit loading={retrying} accessibilityLabel={`Retry: ${job.label}`}>
                  Retry
                </Button>
              </Form>
            )}
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}
