import { DynamoDBDocumentClient, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { stringify } from 'csv-stringify/sync';
import { describeCoverage } from '../../common/payload';
import { daysBetween, SUMMARY_TABLE, SummaryRecord, SummaryStatus } from '../../common/summary-record';

export const EXPORT_COLUMNS = [
  'inferenceId',
  'status',
  'sourceKey',
  'day',
  'submittedAt',
  'completedAt',
  'processingMs',
  'modelId',
  'format',
  'pages',
  'extractedCharacters',
  'title',
  'summary',
  'coverage',
  'strategy',
  'inputTokens',
  'windows',
  'rounds',
  'inputTruncated',
  'roundLimitReached',
  'summaryTruncated',
  'failureReason',
  'outputLocation',
  'failureLocation',
] as const;

export type ExportFormat = 'csv' | 'jsonl';

/** Every item a query returns, following pagination to the end. */
async function* queryAll(table: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<SummaryRecord> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) yield item as SummaryRecord;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Every record whose latest status change fell on a day in [from, to] (UTC), optionally of one
 * status: one `byDay` query per day.
 */
export async function* summariesBetween(
  table: DynamoDBDocumentClient,
  tableName: string,
  from: string,
  to: string,
  status?: SummaryStatus,
): AsyncGenerator<SummaryRecord> {
  const { indexName, partitionKey, sortKey } = SUMMARY_TABLE.byDay;
  for (const day of daysBetween(from, to)) {
    yield* queryAll(table, {
      TableName: tableName,
      IndexName: indexName,
      KeyConditionExpression: status ? '#day = :day AND begins_with(#sk, :status)' : '#day = :day',
      ExpressionAttributeNames: status ? { '#day': partitionKey, '#sk': sortKey } : { '#day': partitionKey },
      ExpressionAttributeValues: status ? { ':day': day, ':status': `${status}#` } : { ':day': day },
    });
  }
}

/** Every record of one source document, newest first. */
export async function summariesOfDocument(table: DynamoDBDocumentClient, tableName: string, sourceKey: string): Promise<SummaryRecord[]> {
  const { indexName, partitionKey } = SUMMARY_TABLE.byDocument;
  const records: SummaryRecord[] = [];
  for await (const record of queryAll(table, {
    TableName: tableName,
    IndexName: indexName,
    KeyConditionExpression: '#pk = :key',
    ExpressionAttributeNames: { '#pk': partitionKey },
    ExpressionAttributeValues: { ':key': sourceKey },
    ScanIndexForward: false,
  })) {
    records.push(record);
  }
  return records;
}

/** The record with a `coverage` line saying how much of the document its summary read. */
export function withCoverage(record: SummaryRecord): SummaryRecord & { coverage?: string } {
  const coverage = describeCoverage(record);
  return coverage === undefined ? record : { ...record, coverage };
}

/** Formats records as CSV (with a header row) or JSON Lines; returns how many were written. */
export async function writeRecords(
  records: AsyncIterable<SummaryRecord>,
  format: ExportFormat,
  write: (chunk: string) => void,
): Promise<number> {
  let count = 0;
  if (format === 'csv') write(stringify([[...EXPORT_COLUMNS]]));
  for await (const stored of records) {
    const record = withCoverage(stored);
    if (format === 'csv') {
      const r = record as unknown as Record<string, unknown>;
      write(stringify([EXPORT_COLUMNS.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c])))]));
    } else {
      write(`${JSON.stringify(record)}\n`);
    }
    count++;
  }
  return count;
}
