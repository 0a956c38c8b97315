/**
 * Runs `task` over `items` with at most `concurrency` in flight, keeping results in input
 * order. A task that throws does not stop the others: each result says how it went.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** Spaces calls evenly to at most `perSecond`, across concurrent callers. */
export class RateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async take(): Promise<void> {
    const interval = 1000 / this.perSecond;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polling delays: starts at `initialMs`, grows by `factor` up to `maxMs`. */
export function* backoff(initialMs: number, maxMs: number, factor = 1.5): Generator<number> {
  for (let delay = initialMs; ; delay = Math.min(maxMs, delay * factor)) yield delay;
}
