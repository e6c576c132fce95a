#!/usr/bin/env bash
# The README's run command: installs what is missing (Node 22, npm packages, Prisma
# clients), then starts the local demo (app + Accelebit sandbox + Shopify simulator).
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
exec node --import tsx scripts/demo.ts
