import { DynamoDBDocumentClient, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { stringify } from 'csv-stringify/sync';
import { describeCoverage } from '../../common/payload';
import { mapPool } from '../concurrency';
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
  'modelRevision',
  'format',
  'pages',
  'extractedCharacters',
  'referencesExcludedCharacters',
  'title',
  'summary',
  'coverage',
  'strategy',
  'inputTokens',
  'windows',
  'rounds',
  'inputTruncated',
  'roundLimitReached',
  'reduceStalled',
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

/** Days queried at once: bounded, so a decade-long export neither crawls nor floods the table. */
export const EXPORT_DAYS_IN_FLIGHT = 8;

export interface ExportOptions {
  readonly status?: SummaryStatus;
  readonly daysInFlight?: number;
  /** Told after each group of days, for progress on long ranges. */
  readonly onDays?: (done: number, total: number) => void;
}

/**
 * Every record whose latest status change fell on a day in [from, to] (UTC), optionally of one
 * status: one `byDay` query per day, `daysInFlight` days at a time, yielded in day order.
 */
export async function* summariesBetween(
  table: DynamoDBDocumentClient,
  tableName: string,
  from: string,
  to: string,
  options: ExportOptions = {},
): AsyncGenerator<SummaryRecord> {
  const { indexName, partitionKey, sortKey } = SUMMARY_TABLE.byDay;
  const { status } = options;
  const days = daysBetween(from, to);
  const inFlight = options.daysInFlight ?? EXPORT_DAYS_IN_FLIGHT;
  const queryDay = async (day: string) => {
    const records: SummaryRecord[] = [];
    for await (const record of queryAll(table, {
      TableName: tableName,
      IndexName: indexName,
      KeyConditionExpression: status ? '#day = :day AND begins_with(#sk, :status)' : '#day = :day',
      ExpressionAttributeNames: status ? { '#day': partitionKey, '#sk': sortKey } : { '#day': partitionKey },
      ExpressionAttributeValues: status ? { ':day': day, ':status': `${status}#` } : { ':day': day },
    })) {
      records.push(record);
    }
    return records;
  };
  for (let i = 0; i < days.length; i += inFlight) {
    const group = days.slice(i, i + inFlight);
    const results = await mapPool(group, inFlight, queryDay);
    options.onDays?.(i + group.length, days.length);
    for (const records of results) yield* records;
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
