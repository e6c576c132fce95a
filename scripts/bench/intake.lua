-- wrk script for POST /shopify/payment: every request is a new payment session (a unique
-- Shopify id per thread and counter, letters and digits only, as Shopify's ids are).
-- Prints one JSON line (prefixed BENCH_JSON) with throughput, latency percentiles and errors.
local threads = {}
local counter = 0
bad = 0 -- global: done() reads it from each thread

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  prefix = args[1] or "run"
  shop = args[2] or "bench-shop.myshopify.com"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Shopify-Shop-Domain"] = shop
  wrk.headers["Shopify-Request-Id"] = "bench"
  wrk.headers["Shopify-Api-Version"] = "2026-04"
end

local template = '{"id":"%s","gid":"gid://shopify/PaymentSession/%s","group":"group%s","session_id":"s%s","amount":"49.99","currency":"EUR","test":true,"merchant_locale":"en","payment_method":{"type":"offsite","data":{"cancel_url":"https://bench-shop.example/checkout"}},"proposed_at":"2026-01-01T00:00:00Z","kind":"sale","customer":{"email":"buyer@example.com","billing_address":{"given_name":"Alice","family_name":"Smith","line1":"1 Main St","city":"Valletta","country_code":"MT"}}}'

function request()
  counter = counter + 1
  local id = prefix .. "t" .. tid .. "n" .. counter
  return wrk.format(nil, "/shopify/payment", nil, string.format(template, id, id, id, id))
end

function response(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, t in ipairs(threads) do errors = errors + t:get("bad") end
  io.write(string.format(
    'BENCH_JSON{"requests":%d,"seconds":%.3f,"errors":%d,"p50":%.3f,"p99":%.3f}\n',
    summary.requests, summary.duration / 1e6, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
