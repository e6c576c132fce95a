// The bench's own load generator, run as its own process so its CPU is not the server's:
//   closed: `connections` requests in flight, each sent when the previous one answered, until
//           every request of the list has been sent;
//   paced:  requests started at a fixed rate whatever the answers (open loop); a request's
//           latency counts from when it was due, so a server that falls behind is not hidden.
// Input (argv[2], JSON): { mode, connections, rate, seconds, requests | intake, expect }.
// Output: one line `BENCH_JSON{…}` with requests, seconds, errors, p50 and p99 in ms.
import { Agent, request } from "node:http";
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const spec = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: spec.mode === "paced" ? 512 : spec.connections });

/** The list of requests, or a generator of new payment sessions (a unique Shopify id each). */
const requests = spec.requestsFile ? JSON.parse(readFileSync(spec.requestsFile, "utf8")) : null;
function nth(i) {
  if (requests) return requests[i];
  const { url, shop, prefix } = spec.intake;
  const id = `${prefix}n${i}`;
  const body = JSON.stringify({
    id,
    gid: `gid://shopify/PaymentSession/${id}`,
    group: `group${id}`,
    session_id: `s${id}`,
    amount: "49.99",
    currency: "EUR",
    test: true,
    merchant_locale: "en",
    payment_method: { type: "offsite", data: { cancel_url: "https://bench-shop.example/checkout" } },
    proposed_at: "2026-01-01T00:00:00Z",
    kind: "sale",
    customer: {
      email: "buyer@example.com",
      billing_address: { given_name: "Alice", family_name: "Smith", line1: "1 Main St", city: "Valletta", country_code: "MT" },
    },
  });
  return {
    url,
    body,
    headers: { "Content-Type": "application/json", "Shopify-Shop-Domain": shop, "Shopify-Request-Id": "bench", "Shopify-Api-Version": "2026-04" },
  };
}

function send(r) {
  return new Promise((resolve) => {
    const req = request(r.url, { method: "POST", agent, headers: { ...r.headers, "Content-Length": Buffer.byteLength(r.body) } }, (res) => {
      res.resume();
      res.on("end", () => {
        const location = res.headers.location ?? "";
        resolve(res.statusCode === spec.expect.status && (!spec.expect.locationIncludes || location.includes(spec.expect.locationIncludes)));
      });
    });
    req.on("error", () => resolve(false));
    req.end(r.body);
  });
}

const latencies = [];
let errors = 0;
const started = performance.now();

if (spec.mode === "closed") {
  const total = requests ? requests.length : spec.count;
  let next = 0;
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        if (!(await send(nth(i)))) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
} else {
  const total = Math.round(spec.rate * spec.seconds);
  const interval = 1000 / spec.rate;
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      send(nth(i)).then((ok) => {
        if (!ok) errors++;
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(inflight);
}

const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
console.log(`BENCH_JSON${JSON.stringify({ requests: latencies.length, seconds, errors, p50: pct(50), p99: pct(99) })}`);
agent.destroy();
