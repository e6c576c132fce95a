import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { useState } from "react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { withBoundedBody } from "~/lib/http.server";
import { shopify } from "~/shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];
export const meta: MetaFunction = () => [{ title: "Log in · Accelebit" }];

const LOGIN_ERRORS: Record<LoginErrorType, string> = {
  [LoginErrorType.MissingShop]: "Enter your shop's domain to log in.",
  [LoginErrorType.InvalidShop]: "Enter a valid shop domain, such as example.myshopify.com.",
};

/** The login form holds one shop domain: a few hundred bytes are plenty. */
const MAX_LOGIN_FORM_BYTES = 2 * 1024;

/** shopify.login() answers with a redirect to OAuth, or with { shop: error } to show. */
async function login(request: Request) {
  const errors = await shopify().login(await withBoundedBody(request, MAX_LOGIN_FORM_BYTES));
  return json({ error: errors.shop ? (LOGIN_ERRORS[errors.shop] ?? "Check the shop domain.") : null }, { status: errors.shop ? 400 : 200 });
}

export const loader = ({ request }: LoaderFunctionArgs) => (new URL(request.url).searchParams.has("shop") ? login(request) : json({ error: null }));
export const action = ({ request }: ActionFunctionArgs) => login(request);

export default function Login() {
  const loaded = useLoaderData<typeof loader>();
  const submitted = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const error = submitted?.error ?? loaded.error ?? undefined;
  return (
    <AppProvider i18n={enTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                Log in to Accelebit
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error}
              />
              <Button submit variant="primary">
                Log in
              </Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
