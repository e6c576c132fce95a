import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, Layout, Link, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { findProblemsForShop } from "~/dashboard/problems.server";
import { ProblemsBanners } from "~/dashboard/ui/problems-banner";
import { AccrueSection } from "~/merchants/ui/accrue-section";
import { z } from "zod";
import { saveAccrueSettings } from "~/merchants/accrue-settings.server";
import { loadSettingsView, saveSettings } from "~/merchants/settings.server";
import { accrueSettingsDeps, settingsDeps } from "~/merchants/settings-deps.server";
import { authenticateMerchant } from "~/shopify/merchant-auth.server";
import { config } from "~/lib/config.server";
import { readFormBody } from "~/lib/http.server";

export const meta: MetaFunction = () => [{ title: "Accelebit settings" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticateMerchant(request);
  const [view, problems] = await Promise.all([loadSettingsView(session.shop, config().SHOPIFY_APP_URL), findProblemsForShop(session.shop)]);
  if (!view) throw new Response("This shop has not installed the app", { status: 404 });
  return { ...view, problems };
}

/** Two API keys and a webhook secret, or two Accrue key pairs: a few hundred bytes; far more is not this form. */
const MAX_SETTINGS_FORM_BYTES = 16 * 1024;

/** Each section is its own form: Accelebit's (the default, as before there were two) or Accrue's. */
const formIntent = z.enum(["accelebit", "accrue"]).default("accelebit");

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticateMerchant(request);
  const form = Object.fromEntries(await readFormBody(request, MAX_SETTINGS_FORM_BYTES));
  const intent = formIntent.safeParse(form.intent);
  if (!intent.success) return json({ status: "bad-request" as const, message: "This form is not one of the setup page's." }, { status: 400 });
  const result =
    intent.data === "accrue"
      ? await saveAccrueSettings(session.shop, form, accrueSettingsDeps())
      : await saveSettings(session.shop, form, { ...settingsDeps(), apiKey: config().SHOPIFY_API_KEY });
  const status = result.status === "invalid" ? 422 : result.status === "gateway-unreachable" ? 503 : 200;
  return json(result, { status });
}

export default function SetupPage() {
  const view = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" ? (navigation.formData?.get("intent") ?? "accelebit") : null;
  // Each section shows only its own form's answer.
  const accrueResult = actionData && "form" in actionData ? actionData : undefined;
  const result = actionData && !("form" in actionData) && actionData.status !== "bad-request" ? actionData : undefined;
  const saving = submitting === "accelebit";
  const fieldErrors = result?.status === "invalid" ? result.fieldErrors : {};
  const ready = (on: boolean) => (on ? "ready" : "not connected");
  const [testKey, setTestKey] = useState("");
  const [liveKey, setLiveKey] = useState("");
  const [webhookSecret, setWebhookSecret] = useState("");
  const [removeLive, setRemoveLive] = useState(false);

  return (
    <Page title="Accelebit settings" subtitle={view.shop} secondaryActions={[{ content: "Transactions", url: "/app/transactions" }]}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ProblemsBanners problems={view.problems} />
            {result?.status === "gateway-unreachable" && (
              <Banner tone="critical" title="Accelebit could not be reached">
                <p>{result.message}</p>
              </Banner>
            )}
            {result?.status === "saved" && result.configured && (
              <Banner tone="success" title="Settings saved">
                <p>
                  Accelebit is ready to take payments on your store.{" "}
                  <Link url={result.settingsUrl} target="_top">
                    Return to Shopify to activate Accelebit
                  </Link>
                </p>
              </Banner>
            )}
            {result?.status === "saved" && !result.configured && (
              <Banner tone="warning" title="Settings saved, but Shopify did not accept the configuration">
                {"userErrors" in result ? (
                  <ul>
                    {result.userErrors.map((message) => (
                      <li key={message}>{message}</li>
                    ))}
                  </ul>
                ) : (
                  <p>{result.failure} Save again to retry.</p>
                )}
              </Banner>
            )}
            <Card>
              <Form method="post" autoComplete="off">
                <input type="hidden" name="intent" value="accelebit" />
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    API keys
                  </Text>
                  <TextField
                    label="Test secret key"
                    name="testApiKey"
                    value={testKey}
                    onChange={setTestKey}
                    autoComplete="off"
                    placeholder={view.testKeyLast4 ? `smtgw_sk_test_••••${view.testKeyLast4}` : "smtgw_sk_test_…"}
                    helpText={
                      view.testKeyLast4 ? `Saved key ending in ${view.testKeyLast4}. Leave blank to keep it.` : "Used for Shopify test orders. Required."
                    }
                    error={fieldErrors.testApiKey}
                  />
                  <TextField
                    label="Live secret key"
                    name="liveApiKey"
                    value={liveKey}
                    onChange={setLiveKey}
                    autoComplete="off"
                    disabled={removeLive}
                    placeholder={view.liveKeyLast4 ? `smtgw_sk_••••${view.liveKeyLast4}` : "smtgw_sk_…"}
                    helpText={
                      view.liveKeyLast4 ? `Saved key ending in ${view.liveKeyLast4}. Leave blank to keep it.` : "Optional until you take real payments."
                    }
                    error={fieldErrors.liveApiKey}
                  />
                  {view.liveKeyLast4 && <Checkbox label="Remove the live key" name="removeLiveKey" checked={removeLive} onChange={setRemoveLive} />}
                  <TextField
                    label="Webhook signing secret"
                    name="webhookSecret"
                    type="password"
                    value={webhookSecret}
                    onChange={setWebhookSecret}
                    autoComplete="off"
                    helpText={view.hasWebhookSecret ? "A secret is saved. Leave blank to keep it." : "From your Accelebit dashboard's webhook settings."}
                    error={fieldErrors.webhookSecret}
                  />
                  <Button submit variant="primary" loading={saving}>
                    Save
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            <AccrueSection view={view.accrue} result={accrueResult} saving={submitting === "accrue"} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Webhook URL
                </Text>
                <Text as="p">Register this URL in your Accelebit dashboard so payment updates reach your store:</Text>
                <Text as="p" breakWord>
                  <code>{view.webhookUrl}</code>
                </Text>
                <Text as="p" tone="subdued">
                  Status: {view.ready ? "ready for payments" : "not configured yet"}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Gateways
                </Text>
                <Text as="p">
                  Accelebit: test {ready(view.gateways.accelebit.test)}, live {ready(view.gateways.accelebit.live)}
                </Text>
                <Text as="p">
                  Accrue: sandbox {ready(view.gateways.accrue.test)}, live {ready(view.gateways.accrue.live)}
                </Text>
                {(["test", "live"] as const)
                  .filter((mode) => view.gateways.accrue[mode] && !view.gateways.accrue.webhook[mode])
                  .map((mode) => (
                    <Text as="p" tone="caution" key={mode}>
                      Accrue {mode === "test" ? "sandbox" : "live"} webhook not registered: updates are read on a schedule. Connect Accrue again to retry.
                    </Text>
                  ))}
                <Text as="p" tone="subdued" breakWord>
                  Accrue sends its updates to <code>{view.accrue.webhookUrl}</code> (registered by the app).
                </Text>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
