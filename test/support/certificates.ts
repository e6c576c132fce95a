import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Certificates made for a test run with the machine's openssl (no network, no fixtures to
 * expire): a CA standing in for Shopify's (root → intermediate, as Shopify's chain is), a
 * server certificate for the mutual-TLS port, and client certificates — Shopify's (right),
 * an expired one, and one from another CA.
 */
export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestCertificates {
  dir: string;
  /** Shopify's CA bundle: intermediate then root, as SHOPIFY_MTLS_CA_FILE holds it. */
  caBundleFile: string;
  caBundle: string;
  /** The CA that signed the server certificate (what a client trusts). */
  serverCa: string;
  server: Pem;
  client: Pem;
  expiredClient: Pem;
  otherCaClient: Pem;
  cleanup(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), "accelebit-mtls-"));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const ext = file("ext.cnf");
  writeFileSync(
    ext,
    [
      "[ca]",
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign",
      "[client]",
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
      "[server]",
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "",
    ].join("\n"),
  );
  const key = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(`${name}.key`));
  let serial = 1;
  const selfSigned = (name: string, subject: string) => {
    key(name);
    openssl(
      "req",
      "-x509",
      "-new",
      "-key",
      file(`${name}.key`),
      "-subj",
      subject,
      "-days",
      "2",
      "-out",
      file(`${name}.pem`),
      "-config",
      ext,
      "-extensions",
      "ca",
    );
  };
  const signed = (name: string, subject: string, issuer: string, extensions: string, days = "2") => {
    key(name);
    openssl("req", "-new", "-key", file(`${name}.key`), "-subj", subject, "-out", file(`${name}.csr`));
    openssl(
      "x509",
      "-req",
      "-in",
      file(`${name}.csr`),
      "-CA",
      file(`${issuer}.pem`),
      "-CAkey",
      file(`${issuer}.key`),
      "-set_serial",
      String(serial++),
      "-days",
      days,
      "-out",
      file(`${name}.pem`),
      "-extfile",
      ext,
      "-extensions",
      extensions,
    );
  };
  selfSigned("root", "/CN=Test Payments Platform Root CA");
  signed("intermediate", "/CN=Test Payments Platform Secondary CA", "root", "ca");
  signed("client", "/CN=payments.shopify.test", "intermediate", "client");
  // -days -1: valid from now, expired since yesterday.
  signed("expired", "/CN=payments.shopify.test", "intermediate", "client", "-1");
  selfSigned("other-root", "/CN=Someone Else's CA");
  signed("other-client", "/CN=payments.shopify.test", "other-root", "client");
  selfSigned("server-ca", "/CN=Public CA stand-in");
  signed("server", "/CN=localhost", "server-ca", "server");

  const read = (name: string) => readFileSync(file(name), "utf8");
  const pem = (name: string): Pem => ({ cert: read(`${name}.pem`), key: read(`${name}.key`), certFile: file(`${name}.pem`), keyFile: file(`${name}.key`) });
  const caBundle = read("intermediate.pem") + read("root.pem");
  writeFileSync(file("shopify-ca.pem"), caBundle);
  return {
    dir,
    caBundleFile: file("shopify-ca.pem"),
    caBundle,
    serverCa: read("server-ca.pem"),
    server: pem("server"),
    client: pem("client"),
    expiredClient: pem("expired"),
    otherCaClient: pem("other-client"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
