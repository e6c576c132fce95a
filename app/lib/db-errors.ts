/** Prisma's P2002 (a unique constraint), by code: the SQLite and PostgreSQL clients have distinct error classes. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}
