/** Errors worth retrying: throttling, and the service being briefly unavailable. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  return [
    'ThrottlingException',
    'Throttling',
    'TooManyRequestsException',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'InternalFailure',
    'ProvisionedThroughputExceededException',
  ].includes(e?.name ?? '');
}

export interface RetryOptions {
  /** Attempts in all, including the first. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time, with full jitter. */
  readonly baseDelayMs: number;
  /** Injected so tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying retryable errors with exponential backoff and full jitter. The
 * last error is rethrown, so the caller can hand the work back to its queue.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.attempts || !isRetryable(error)) throw error;
      await sleep(Math.random() * options.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
