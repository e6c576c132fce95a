import { expect } from "vitest";

/**
 * The bank's 3-D Secure page a card post sent the shopper to. The post is answered with our own
 * page (200), which navigates there by itself (meta refresh) or by its Continue link.
 */
export async function threeDsChallengeUrl(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const page = await response.text();
  const link = /<a href="([^"]+)" data-three-ds-redirect>/.exec(page)?.[1];
  const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(page)?.[1];
  expect(link).toBeDefined();
  expect(refresh).toBe(link);
  return link!
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}
