/**
 * POSTs one webhook delivery, retrying with exponential backoff while the receiver fails (a
 * non-2xx answer or a network error), and records every attempt. Every attempt sends the same
 * bytes and headers.
 */
export interface DeliveryAttempt {
  status: number | null;
  error?: string;
}

export interface DeliveryRetry {
  maxAttempts: number;
  baseDelayMs: number;
}

export async function postWithRetries(
  request: { url: string; headers: Record<string, string>; body: string },
  retry: DeliveryRetry,
  options: { sleep: (ms: number) => Promise<void>; stopped: () => boolean; attempts: DeliveryAttempt[] },
): Promise<boolean> {
  for (let attempt = 1; attempt <= retry.maxAttempts && !options.stopped(); attempt += 1) {
    try {
      const response = await fetch(request.url, { method: "POST", headers: request.headers, body: request.body, signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      options.attempts.push({ status: response.status });
      if (response.ok) return true;
    } catch (error) {
      options.attempts.push({ status: null, error: error instanceof Error ? error.message : String(error) });
    }
    if (attempt < retry.maxAttempts) await options.sleep(retry.baseDelayMs * 2 ** (attempt - 1));
  }
  return false;
}
