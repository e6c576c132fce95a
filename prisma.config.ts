// Prisma CLI configuration. The CLI runs without native engine downloads (these machines
// reach no binaries host): the WebAssembly schema engine plus a driver adapter.
// PRISMA_PROVIDER (sqlite | postgresql) picks the schema; scripts set it from DATABASE_URL.
import { defineConfig } from "prisma/config";

const provider = process.env.PRISMA_PROVIDER === "postgresql" ? "postgresql" : "sqlite";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  async adapter() {
    const url = process.env.DATABASE_URL ?? "file:./prisma/dev.db";
    if (provider === "postgresql") {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: url });
    }
    const { PrismaLibSQL } = await import("@prisma/adapter-libsql");
    return new PrismaLibSQL({ url });
  },
});
