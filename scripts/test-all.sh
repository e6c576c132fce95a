#!/usr/bin/env bash
# `npm test`: every check, in the order that fails fastest. Assumes the machine is
# provisioned (scripts/test.sh does that first).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "lint"
npx eslint . --max-warnings 0
npx prettier --check . --log-level warn

step "type-check"
npx tsc --noEmit

step "database schemas and migrations (drift check)"
npm run --silent db:check

step "build"
npx remix build

rm -rf .tmp/reports && mkdir -p .tmp/reports
for provider in sqlite postgresql; do
  export TEST_DATABASE_PROVIDER="$provider"
  step "unit and integration tests on $provider"
  npx vitest run --reporter=default --reporter=json --outputFile.json=".tmp/reports/vitest-$provider.json"
  step "end-to-end tests on $provider"
  PLAYWRIGHT_JSON_OUTPUT_NAME=".tmp/reports/playwright-$provider.json" npx playwright test --reporter=list,json
done

step "summary (SQLite and PostgreSQL runs together)"
node scripts/test-summary.mjs
