import { Form } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, Link, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { SaveAccrueResult } from "~/merchants/accrue-settings.server";
import type { AccrueView } from "~/merchants/settings.server";

/**
 * The setup page's Accrue section: its own form (intent "accrue"), so saving it never asks for
 * Accelebit's keys again. Client IDs are public and shown; of a secret only its last four.
 */
export function AccrueSection({ view, result, saving }: { view: AccrueView; result: SaveAccrueResult | undefined; saving: boolean }) {
  const fieldErrors = result?.status === "invalid" ? result.fieldErrors : {};
  const [testClientId, setTestClientId] = useState(view.testClientId ?? "");
  const [testSecret, setTestSecret] = useState("");
  const [liveClientId, setLiveClientId] = useState(view.liveClientId ?? "");
  const [liveSecret, setLiveSecret] = useState("");
  const [removeLive, setRemoveLive] = useState(false);
  const secretHelp = (last4: string | null, none: string) => (last4 ? `Saved secret ending in ${last4}. Leave blank to keep it.` : none);

  return (
    <BlockStack gap="400">
      {result?.status === "gateway-unreachable" && (
        <Banner tone="critical" title="Accrue could not be reached">
          <p>{result.message}</p>
        </Banner>
      )}
      {result?.status === "saved" && (
        <Banner tone={result.configured && result.webhookProblems.length === 0 ? "success" : "warning"} title="Accrue credentials saved">
          <BlockStack gap="200">
            {result.webhookProblems.map((problem) => (
              <p key={problem}>{problem}</p>
            ))}
            {result.configured ? (
              <p>
                Accrue is connected.{" "}
                <Link url={result.settingsUrl} target="_top">
                  Return to Shopify to activate Accrue
                </Link>
              </p>
            ) : "userErrors" in result ? (
              <ul>
                {result.userErrors.map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            ) : (
              <p>{result.failure} Save again to retry.</p>
            )}
          </BlockStack>
        </Banner>
      )}
      <Card>
        <Form method="post" autoComplete="off">
          <input type="hidden" name="intent" value="accrue" />
          <FormLayout>
            <Text as="h2" variant="headingMd">
              Accrue
            </Text>
            <Text as="p" tone="subdued">
              Shoppers pay from their Accrue savings wallet. Your Client ID and Client Secret are in your Accrue dashboard, once for the sandbox and once for
              live. They are checked with Accrue before they are saved, and the app registers its webhook with Accrue for you.
            </Text>
            <TextField
              label="Sandbox Client ID"
              name="accrueTestClientId"
              value={testClientId}
              onChange={setTestClientId}
              autoComplete="off"
              placeholder="123e4567-e89b-12d3-a456-426614174000"
              helpText="Used for Shopify test orders. Required."
              error={fieldErrors.accrueTestClientId}
            />
            <TextField
              label="Sandbox Client Secret"
              name="accrueTestClientSecret"
              type="password"
              value={testSecret}
              onChange={setTestSecret}
              autoComplete="off"
              helpText={secretHelp(view.testSecretLast4, "From your Accrue sandbox dashboard.")}
              error={fieldErrors.accrueTestClientSecret}
            />
            <TextField
              label="Live Client ID"
              name="accrueLiveClientId"
              value={liveClientId}
              onChange={setLiveClientId}
              autoComplete="off"
              disabled={removeLive}
              helpText="Optional until you take real payments."
              error={fieldErrors.accrueLiveClientId}
            />
            <TextField
              label="Live Client Secret"
              name="accrueLiveClientSecret"
              type="password"
              value={liveSecret}
              onChange={setLiveSecret}
              autoComplete="off"
              disabled={removeLive}
              helpText={secretHelp(view.liveSecretLast4, "From your Accrue live dashboard.")}
              error={fieldErrors.accrueLiveClientSecret}
            />
            {view.liveClientId && <Checkbox label="Remove the live Accrue credentials" name="removeAccrueLive" checked={removeLive} onChange={setRemoveLive} />}
            <Button submit variant="primary" loading={saving}>
              Connect Accrue
            </Button>
          </FormLayout>
        </Form>
      </Card>
    </BlockStack>
  );
}
