import type { z } from "zod";
import { TerminalJobError } from "./errors";
import type { JobContext, JobHandler } from "./types";

/**
 * A handler whose payload is validated first. A payload that does not match can never
 * succeed on a retry, so it is terminal; the error names paths and issue codes only,
 * because zod's messages may quote the offending values.
 */
export function jobHandler<T>(schema: z.ZodType<T>, run: (payload: T, context: JobContext) => Promise<void>): JobHandler {
  return async (payload, context) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.code}`);
      throw new TerminalJobError(`Invalid payload (${issues.join(", ")})`);
    }
    await run(parsed.data, context);
  };
}
