import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SUMMARY_TABLE, type SummaryStatus } from '../../common/summary-record';

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
  const { byDay } = SUMMARY_TABLE;
  let count = 0;
  for (const day of days) {
    for (const status of WAITING_STATUSES) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: byDay.indexName,
            Select: 'COUNT',
            KeyConditionExpression: '#day = :day AND statusAt BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#day': byDay.partitionKey },
            // "~" sorts after every ISO time.
            ExpressionAttributeValues: { ':day': day, ':from': `${status}#${since.toISOString()}`, ':to': `${status}#~` },
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
  return count;
}
