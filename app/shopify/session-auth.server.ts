import { createHash, timingSafeEqual, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, type AppConfig } from "~/lib/config.server";

/**
 * Proof that a request to a session route came from Shopify. Shopify signs nothing in its
 * session requests (payment, refund, capture, void, and the card confirmation callback): the
 * client certificate it presents, chained to Shopify's CA, is the only proof. Two ways to
 * check it, either or both configured:
 *
 * - mutual TLS in the app: a dedicated HTTPS port that requires and verifies the certificate
 *   (docs/decisions/mtls-listener.md); requests on it are proven by their TLS socket;
 * - a proxy that ends TLS, verified the certificate and passes it on, with a shared secret
 *   (docs/decisions/proxy-contract.md); the app checks the secret and the certificate again.
 *
 * Without either (development and tests only: production refuses to start), session routes
 * are open, as behind any front end that does the check.
 */

/** The session routes: everything Shopify calls with its client certificate. */
export function isSessionRoute(pathname: string): boolean {
  return pathname === "/shopify" || pathname.startsWith("/shopify/");
}

/** The headers of the proxy contract; a proxy must drop any a client sent before setting its own. */
export const PROXY_SECRET_HEADER = "x-accelebit-proxy-secret";
export const PROXY_CLIENT_VERIFY_HEADER = "x-accelebit-client-verify";
export const PROXY_CLIENT_CERT_HEADER = "x-accelebit-client-cert";

export interface MutualTlsListener {
  port: number;
  ca: string;
  cert: string;
  key: string;
}

export interface SessionAuth {
  mtls: MutualTlsListener | null;
  proxy: { secretDigest: Buffer; trusted: X509Certificate[] } | null;
}

/** Reads the configured files (once, at start-up); a missing or unreadable one stops the app, naming its variable. */
export function loadSessionAuth(settings: AppConfig, readFile: (path: string) => string = (path) => readFileSync(path, "utf8")): SessionAuth {
  const problems: string[] = [];
  const read = (name: "SHOPIFY_MTLS_CA_FILE" | "SHOPIFY_MTLS_CERT_FILE" | "SHOPIFY_MTLS_KEY_FILE", mustContain: RegExp): string => {
    const path = settings[name]!;
    try {
      const text = readFile(path);
      if (!mustContain.test(text)) problems.push(`${name} (${path}) holds no PEM ${mustContain.source.replace(/\\/g, "")}`);
      return text;
    } catch (error) {
      problems.push(`${name} (${path}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
      return "";
    }
  };
  const caPem = settings.SHOPIFY_MTLS_CA_FILE ? read("SHOPIFY_MTLS_CA_FILE", /-----BEGIN CERTIFICATE-----/) : "";
  const trusted = caPem ? parseCertificates(caPem) : [];
  if (caPem && trusted.length === 0) problems.push(`SHOPIFY_MTLS_CA_FILE (${settings.SHOPIFY_MTLS_CA_FILE}) holds no readable certificate`);
  const mtls =
    settings.SHOPIFY_MTLS_PORT !== undefined
      ? {
          port: settings.SHOPIFY_MTLS_PORT,
          ca: caPem,
          cert: read("SHOPIFY_MTLS_CERT_FILE", /-----BEGIN CERTIFICATE-----/),
          key: read("SHOPIFY_MTLS_KEY_FILE", /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
        }
      : null;
  if (problems.length) throw new ConfigError(problems);
  const proxy = settings.SESSION_PROXY_SECRET ? { secretDigest: digest(settings.SESSION_PROXY_SECRET), trusted } : null;
  return { mtls, proxy };
}

function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

type HeaderValue = string | string[] | undefined;
const single = (value: HeaderValue) => (Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value);

/**
 * The proxy contract: the shared secret (compared in constant time, through digests so that
 * not even its length shows), the proxy's verdict on the client certificate, and the
 * certificate itself, checked again here against Shopify's CA bundle and its validity dates.
 */
export function verifyProxiedRequest(headers: Record<string, HeaderValue>, proxy: NonNullable<SessionAuth["proxy"]>, now = new Date()): Verdict {
  const refuse = (message: string): Verdict => ({ ok: false, status: 401, message: `Session request refused: ${message}` });
  const secret = single(headers[PROXY_SECRET_HEADER]);
  if (secret === undefined || !timingSafeEqual(digest(secret), proxy.secretDigest)) return refuse("not sent through the authenticating proxy");
  if (single(headers[PROXY_CLIENT_VERIFY_HEADER]) !== "SUCCESS") return refuse("the proxy did not verify a client certificate");
  const escaped = single(headers[PROXY_CLIENT_CERT_HEADER]);
  if (!escaped) return refuse("no client certificate was passed on");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(decodeURIComponent(escaped));
  } catch {
    return refuse("the client certificate passed on cannot be read");
  }
  if (!validAt(certificate, now)) return refuse("the client certificate is expired or not yet valid");
  const issuer = proxy.trusted.find((ca) => validAt(ca, now) && certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
  if (!issuer) return refuse("the client certificate does not chain to Shopify's CA");
  return { ok: true };
}

function validAt(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}

/**
 * Whether a request to a session route may go on. `viaMutualTls`: it arrived on the mutual-TLS
 * port, whose handshake already required a certificate chained to Shopify's CA, and `authorized`
 * is the TLS socket's own verdict (checked again, in case the listener were misconfigured).
 */
export function sessionRequestVerdict(
  auth: SessionAuth,
  request: { headers: Record<string, HeaderValue>; viaMutualTls: boolean; authorized: boolean },
  now = new Date(),
): Verdict {
  if (request.viaMutualTls) {
    return request.authorized ? { ok: true } : { ok: false, status: 401, message: "Session request refused: no verified client certificate" };
  }
  if (auth.proxy) return verifyProxiedRequest(request.headers, auth.proxy, now);
  if (auth.mtls) return { ok: false, status: 403, message: "Shopify's session requests are served on the mutual-TLS port only" };
  return { ok: true };
}
