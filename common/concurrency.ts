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

/**
 * Like `mapPool`, but the first failure stops new tasks from starting, waits for those in flight
 * (so none outlives the call, writing to a file or an upload it no longer owns), and is thrown.
 */
export async function mapPoolFailFast<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  let failure: { error: unknown } | undefined;
  const results = await mapPool(items, concurrency, async (item, index) => {
    if (failure) return undefined as R;
    try {
      return await task(item, index);
    } catch (error) {
      failure ??= { error };
      return undefined as R;
    }
  });
  if (failure) throw failure.error;
  return results;
}
