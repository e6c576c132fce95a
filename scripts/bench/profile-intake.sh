#!/usr/bin/env bash
# Ad-hoc: CPU profile of the built app under wrk intake load (SQLite). Not part of npm run bench.
set -euo pipefail
dir=$(mktemp -d)
export NODE_ENV=test DATABASE_URL="file:$dir/p.db" SHOPIFY_API_KEY=bench SHOPIFY_API_SECRET=bench-secret SHOPIFY_APP_URL=http://127.0.0.1:3999 \
  SCOPES=write_payment_gateways,write_payment_sessions ENCRYPTION_KEY=$(head -c32 /dev/urandom | base64) PORT=3999 HOST=127.0.0.1 LOG_LEVEL=warn \
  ACCELEBIT_API_URL=http://127.0.0.1:1 SHOPIFY_PAYMENTS_API_ORIGIN=http://127.0.0.1:1
npx tsx scripts/db.ts migrate >/dev/null
NODE_ENV=development npx tsx scripts/seed-shop.ts --shop bench-shop.myshopify.com --access-token shpat_b --accelebit-test-key smtgw_sk_test_BenchKey00000001 >/dev/null
node --cpu-prof --cpu-prof-dir="$dir" server.js &
pid=$!
sleep 3
wrk -t2 -c32 -d4s -s scripts/bench/intake.lua http://127.0.0.1:3999 -- warm bench-shop.myshopify.com >/dev/null
wrk -t2 -c32 -d6s -s scripts/bench/intake.lua http://127.0.0.1:3999 -- prof bench-shop.myshopify.com | grep BENCH
kill -INT $pid; wait $pid || true
ls "$dir"/*.cpuprofile
