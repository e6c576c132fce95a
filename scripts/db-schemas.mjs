// Writes one Prisma schema per database provider from prisma/schema.base.prisma.
// `--check` writes nothing and exits 1 when a committed schema differs from what the
// base would produce (the CI drift check).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROVIDERS = ["sqlite", "postgresql"];

export function schemaFor(provider) {
  const base = readFileSync(path.join(root, "prisma/schema.base.prisma"), "utf8");
  const header = `// GENERATED from prisma/schema.base.prisma by scripts/db-schemas.mjs. Do not edit.\n\n`;
  return (
    header +
    base
      .replace("__PROVIDER__", provider)
      // Each provider gets its own client so one build can talk to either database.
      .replace("__CLIENT_OUTPUT__", `../../node_modules/.prisma-accelebit/${provider}`)
  );
}

const check = process.argv.includes("--check");
let drift = false;
for (const provider of PROVIDERS) {
  const file = path.join(root, "prisma", provider, "schema.prisma");
  const wanted = schemaFor(provider);
  if (check) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // not written yet: reported as drift below
    }
    if (current !== wanted) {
      console.error(`${path.relative(root, file)} differs from prisma/schema.base.prisma: run npm run db:schemas`);
      drift = true;
    }
  } else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, wanted);
    console.log(`wrote ${path.relative(root, file)}`);
  }
}
if (drift) process.exit(1);
