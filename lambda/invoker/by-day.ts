import { type DynamoDBDocumentClient, paginateQuery, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { SUMMARY_TABLE, type SummaryStatus } from '../../common/summary-record';

/**
 * Every page of one day of the summaries table's `byDay` index, for the records whose status
 * became `status` between `from` and `to` (ISO times, `statusAt` = `<STATUS>#<ISO time>`): from
 * the start of the day when `from` is omitted, to its end when `to` is. The sweeper reads the
 * items; the waker only counts them (`select: 'COUNT'`). Pages come from the SDK's paginator.
 */
export function byDayStatusPages(
  table: DynamoDBDocumentClient,
  tableName: string,
  query: { readonly day: string; readonly status: SummaryStatus; readonly from?: string; readonly to?: string; readonly select?: 'COUNT' },
): AsyncIterable<QueryCommandOutput> {
  const { byDay } = SUMMARY_TABLE;
  return paginateQuery(
    { client: table },
    {
      TableName: tableName,
      IndexName: byDay.indexName,
      ...(query.select ? { Select: query.select } : {}),
      KeyConditionExpression: '#day = :day AND statusAt BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#day': byDay.partitionKey },
      // "~" sorts after every ISO time.
      ExpressionAttributeValues: { ':day': query.day, ':from': `${query.status}#${query.from ?? ''}`, ':to': `${query.status}#${query.to ?? '~'}` },
    },
  );
}
