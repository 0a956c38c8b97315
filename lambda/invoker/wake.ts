import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SummaryStatus } from '../../common/summary-record';
import { byDayStatusPages } from './by-day';

/**
 * How far back a submission counts as waiting for the endpoint being woken. The endpoint got to
 * zero only after minutes with nothing queued or in flight, so a record still SUBMITTING or
 * PENDING from the last 10 minutes is a request the woken instances will serve (the exception,
 * a result already on its way through SNS to the recorder, takes seconds).
 */
export const WAITING_LOOKBACK_MS = 10 * 60_000;

const WAITING_STATUSES: readonly SummaryStatus[] = ['SUBMITTING', 'PENDING'];

/**
 * Requests submitted (or being submitted) in the last `WAITING_LOOKBACK_MS` and not finished,
 * counted from the summaries table's `byDay` index (`statusAt` = `<STATUS>#<ISO time>`), across
 * midnight when the window spans it. A count: no item is read.
 */
export async function countWaitingWork(table: DynamoDBDocumentClient, tableName: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - WAITING_LOOKBACK_MS);
  const days = [...new Set([since, now].map((d) => d.toISOString().slice(0, 10)))];
  let count = 0;
  for (const day of days) {
    for (const status of WAITING_STATUSES) {
      for await (const page of byDayStatusPages(table, tableName, { day, status, from: since.toISOString(), select: 'COUNT' })) count += page.Count ?? 0;
    }
  }
  return count;
}
