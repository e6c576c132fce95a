#!/usr/bin/env bash
# The whole test suite on a fresh machine (the README's test command; CI runs it too):
# provisions Node 22, npm packages, Debian's Chromium and a running PostgreSQL, then runs
# lint, type-check, the schema drift check, and unit + integration + e2e tests once on
# SQLite and once on PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "test: installing Debian's Chromium for Playwright"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

pg_admin_url="${POSTGRES_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -q -d "$pg_admin_url" 2>/dev/null; then
  echo "test: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -d "$pg_admin_url" && break; sleep 1; done
fi
export POSTGRES_ADMIN_URL="$pg_admin_url"

exec bash scripts/test-all.sh
