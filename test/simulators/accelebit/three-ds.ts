/**
 * The 3-D Secure challenge, as a bank's ACS page would run it, server-rendered plain HTML:
 * - GET variant: threeDsData.redirectUrl is /3ds/challenge/{token}; the browser simply goes there.
 * - POST variant: threeDsData.redirectUrl is /3ds/challenge, and the merchant's page posts the
 *   form parameters PaReq and TermUrl to it (seed 001's example). The page then posts the
 *   cardholder's answer (PaRes) to TermUrl, Accelebit's callback, as an ACS does.
 * Either way the payment becomes captured ("Approve") or failed ("Fail") and the browser is
 * sent (303) to the payment's returnUrl, with nothing appended: the app must re-read the payment.
 */
import { escapeHtml } from "./http";

export const CHALLENGE_PATH = "/3ds/challenge";
export const CALLBACK_PATH = "/v1/3ds/callback";

interface PageInput {
  amount: string;
  currency: string;
  cardLast4: string | null;
  /** Where the buttons post. */
  action: string;
  hidden: Record<string, string>;
}

export function challengePage(input: PageInput): string {
  const hidden = Object.entries(input.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n      ");
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>3-D Secure challenge — Accelebit sandbox</title></head>
  <body>
    <h1>3-D Secure challenge</h1>
    <p>Accelebit sandbox bank. Payment of <strong>${escapeHtml(input.amount)} ${escapeHtml(input.currency)}</strong>${
      input.cardLast4 ? ` with the card ending in <strong>${escapeHtml(input.cardLast4)}</strong>` : ""
    }.</p>
    <p>Choose how the cardholder answers the challenge.</p>
    <form method="post" action="${escapeHtml(input.action)}">
      ${hidden}
      <button type="submit" name="outcome" value="approve">Approve</button>
      <button type="submit" name="outcome" value="fail">Fail</button>
    </form>
  </body>
</html>
`;
}

export function messagePage(title: string, message: string, link?: { href: string; label: string }): string {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>${escapeHtml(title)} — Accelebit sandbox</title></head>
  <body>
    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(message)}</p>
    ${link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : ""}
  </body>
</html>
`;
}

/** PaReq / PaRes are opaque base64 to the merchant; inside, only our challenge token. */
export function encodeToken(token: string): string {
  return Buffer.from(JSON.stringify({ v: 1, token }), "utf8").toString("base64");
}

export function decodeToken(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64").toString("utf8"));
    const token = (parsed as { token?: unknown } | null)?.token;
    return typeof token === "string" ? token : null;
  } catch {
    return null;
  }
}
