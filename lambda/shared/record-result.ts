import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SummaryDetails, summaryDetailsFromResponse, summaryFromResponse } from '../../common/payload';
import { withRetry } from '../../common/retry';
import { expiryEpochSeconds, MAX_SUMMARY_CHARS, parseS3Url, statusKeys } from '../../common/summary-record';
import type { InferenceNotification } from '../recorder/notification';
import type { Logger } from './log';

/**
 * Writes one inference result into the summaries table: the recorder does it for each
 * notification, the invoker's sweeper for a result whose notification never arrived (it reads
 * the output or failure object SageMaker wrote). One code path, so a recovered result is
 * recorded exactly as a notified one.
 */
export interface ResultSettings {
  readonly tableName: string;
  readonly bucket: string;
  readonly inputPrefix: string;
  readonly modelId: string;
  /** Recorded beside modelId, unless the record has one (from its submission). */
  readonly modelRevision?: string;
  readonly retentionDays: number;
}

export interface ResultRecorderDeps {
  readonly s3: S3Client;
  readonly table: DynamoDBDocumentClient;
  readonly settings: ResultSettings;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type RecordOutcome = 'completed' | 'failed' | 'test-notification' | 'foreign-endpoint';

/** Failure reports are short; more than this is cut (the whole report stays in failure/). */
const MAX_FAILURE_REASON_CHARS = 4_000;

async function readS3Text(url: string, deps: ResultRecorderDeps): Promise<string> {
  const location = parseS3Url(url);
  if (!location) throw new Error(`not an S3 URL: ${url}`);
  const object = await withRetry(() => deps.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key })), {
    attempts: 3,
    baseDelayMs: 200,
    sleep: deps.sleep,
  });
  return object.Body!.transformToString('utf8');
}

/** The summary text: from the inlined response when present, else read from the output object. */
async function summaryOf(n: InferenceNotification, deps: ResultRecorderDeps): Promise<{ summary?: string; details?: SummaryDetails }> {
  const response = n.inlineResponse ?? (n.outputLocation ? await readS3Text(n.outputLocation, deps) : undefined);
  if (response === undefined) return {};
  const details = summaryDetailsFromResponse(response);
  const summary = summaryFromResponse(response);
  if (summary === undefined) {
    deps.log('warn', 'response has no summary_text or generated_text; keeping its location only', { inferenceId: n.inferenceId });
  }
  return { summary, details };
}

async function failureReasonOf(n: InferenceNotification, deps: ResultRecorderDeps): Promise<string> {
  if (n.failureReason) return n.failureReason;
  if (n.failureLocation) return (await readS3Text(n.failureLocation, deps)).slice(0, MAX_FAILURE_REASON_CHARS);
  return 'SageMaker reported the request as failed without a reason';
}

/**
 * Records a result in the summaries table. Idempotent (a redelivered notification writes the
 * same values), and never drops a result for an inference id it does not know (a request
 * submitted outside the pipeline): it creates the record instead.
 */
export async function recordResult(notification: InferenceNotification, deps: ResultRecorderDeps, extra: Record<string, unknown> = {}): Promise<RecordOutcome> {
  const { settings } = deps;
  const completedAt = new Date(notification.eventTime ?? (deps.now ?? (() => new Date()))().toISOString());
  const status = notification.succeeded ? 'COMPLETED' : 'FAILED';
  const keys = statusKeys(status, completedAt);

  const values: Record<string, unknown> = {
    ':status': status,
    ':completedAt': completedAt.toISOString(),
    ':day': keys.day,
    ':statusAt': keys.statusAt,
    ':modelId': settings.modelId,
  };
  const sets = ['#status = :status', 'completedAt = :completedAt', '#day = :day', 'statusAt = :statusAt', 'modelId = if_not_exists(modelId, :modelId)'];
  const set = (attribute: string, value: unknown, onlyIfMissing = false) => {
    if (value === undefined) return;
    values[`:${attribute}`] = value;
    sets.push(onlyIfMissing ? `${attribute} = if_not_exists(${attribute}, :${attribute})` : `${attribute} = :${attribute}`);
  };

  if (notification.receivedTime) {
    set('receivedAt', notification.receivedTime);
    set('processingMs', completedAt.getTime() - new Date(notification.receivedTime).getTime());
    set('submittedAt', notification.receivedTime, true);
  }
  set('modelRevision', settings.modelRevision, true);
  // The invoker writes "pipeline" when it submits; a result for any other inference id (a direct
  // CLI submission, another client of the endpoint) is still recorded, and says so.
  set('submittedThrough', 'outside-pipeline', true);
  set('inputLocation', notification.inputLocation, true);
  const input = notification.inputLocation ? parseS3Url(notification.inputLocation) : undefined;
  if (input && input.bucket === settings.bucket && input.key.startsWith(settings.inputPrefix)) {
    set('sourceBucket', input.bucket, true);
    set('sourceKey', input.key, true);
  }
  set('outputLocation', notification.outputLocation);
  set('failureLocation', notification.failureLocation);
  set('expiresAt', expiryEpochSeconds(completedAt, settings.retentionDays));
  for (const [attribute, value] of Object.entries(extra)) set(attribute, value);

  if (notification.succeeded) {
    const { summary, details } = await summaryOf(notification, deps);
    for (const [attribute, value] of Object.entries(details ?? {})) set(attribute, value);
    if (summary !== undefined) {
      set('summary', summary.slice(0, MAX_SUMMARY_CHARS));
      set('summaryTruncated', summary.length > MAX_SUMMARY_CHARS);
    }
  } else {
    set('failureReason', await failureReasonOf(notification, deps));
  }

  let result;
  try {
    result = await deps.table.send(
      new UpdateCommand({
        TableName: settings.tableName,
        Key: { inferenceId: notification.inferenceId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        // A summary is never replaced by a failure: when a request was submitted twice (the
        // sweeper resubmits one whose result never came), the first to succeed stands.
        ConditionExpression: 'attribute_not_exists(#status) OR #status <> :completed OR :status = :completed',
        ExpressionAttributeNames: { '#status': 'status', '#day': 'day' },
        ExpressionAttributeValues: { ...values, ':completed': 'COMPLETED' },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
  } catch (e) {
    if ((e as Error)?.name !== 'ConditionalCheckFailedException') throw e;
    deps.log('info', 'a failure for a document already summarized; the summary stands', { inferenceId: notification.inferenceId });
    return 'failed';
  }
  if (!result.Attributes?.status) {
    deps.log('info', 'result for an inference id the pipeline did not submit; recorded it anyway', {
      inferenceId: notification.inferenceId,
      inputLocation: notification.inputLocation,
    });
  }
  deps.log('info', 'recorded', { inferenceId: notification.inferenceId, status });
  return notification.succeeded ? 'completed' : 'failed';
}

