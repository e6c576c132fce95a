import { Link as RemixLink } from "@remix-run/react";
import { Banner, BlockStack, List, Text } from "@shopify/polaris";
import type { Problem } from "~/dashboard/problems.server";

/** The problems of app/dashboard/problems.server.ts, one banner each, with what to do. */
export function ProblemsBanners({ problems }: { problems: Problem[] }) {
  if (!problems.length) return null;
  return (
    <BlockStack gap="300">
      {problems.map((problem) => (
        <Banner key={problem.id} tone={problem.tone} title={problem.title}>
          <BlockStack gap="200">
            <p>{problem.action}</p>
            {problem.items.length > 0 && (
              <List>
                {problem.items.map((item, i) => (
                  <List.Item key={i}>
                    {item.url ? <RemixLink to={item.url}>{item.label}</RemixLink> : item.label}
                    {item.detail && (
                      <Text as="span" tone="subdued" breakWord>
                        {" "}
                        — {item.detail}
                      </Text>
                    )}
                  </List.Item>
                ))}
              </List>
            )}
          </BlockStack>
        </Banner>
      ))}
    </BlockStack>
  );
}

/** "2025-06-01 14:05 UTC": the same on the server and in the browser (no hydration mismatch). */
export function formatDateTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
