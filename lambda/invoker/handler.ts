import { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EndpointWaker, UPDATING_RECHECK } from '../../common/endpoint-waker';
import { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits } from '../../common/extract';
import { inferenceIdForObject } from '../../common/inference-id';
import { classifyDocument } from '../../common/payload';
import { withRetry } from '../../common/retry';
import { invocationRequest } from '../../common/submission';
import { classifySubmissionError } from '../../common/submission-errors';
import { expiryEpochSeconds, statusKeys } from '../../common/summary-record';
import type { Logger } from '../shared/log';
import { MalformedMessageError, parseJson, processBatch } from '../shared/sqs-batch';
import { Staged, stageInput } from './staging';

export { keyCandidates } from './staging';

export interface InvokerSettings {
  readonly bucket: string;
  readonly inputPrefix: string;
  /** Where the immutable, header-safe copies SageMaker reads are staged (outside input/). */
  readonly requestsPrefix: string;
  /** Where the text extracted from PDF, HTML and Word documents is written (outside input/). */
  readonly extractedPrefix: string;
  readonly endpointName: string;
  readonly tableName: string;
  readonly modelId: string;
  readonly modelRevision?: string;
  readonly invocationTimeoutSeconds: number;
  readonly retentionDays: number;
  /** The ingest queue's maxReceiveCount: the attempt after which a message is dead-lettered. */
  readonly maxReceiveCount: number;
}

export interface InvokerDeps {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerRuntimeClient;
  readonly table: DynamoDBDocumentClient;
  readonly settings: InvokerSettings;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default DEFAULT_EXTRACTION_LIMITS */
  readonly extractionLimits?: ExtractionLimits;
  /** Wakes an endpoint at zero when work is submitted to it, or when the stranded-requests alarm says so; absent, the wake alarm alone does. */
  readonly waker?: Pick<EndpointWaker, 'afterSubmit' | 'wakeIfIdle'>;
  /** Whether an endpoint (one this stack replaced) still exists; absent, the sweeper waits for a request's deadline instead. */
  readonly endpointExists?: (endpointName: string) => Promise<boolean>;
}

/** The part of an EventBridge "Object Created" event we use. */
export interface ObjectCreated {
  readonly bucket: string;
  /** The key exactly as the event carries it (see `keyCandidates` for its encodings). */
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  /** The version the event names; absent only on an unversioned bucket. */
  readonly versionId?: string;
}

/** Which delivery of its message this is, so the last one can leave the record saying so. */
export interface Attempt {
  readonly number: number;
  /** True when a failure now moves the message to the dead-letter queue. */
  readonly final: boolean;
  /** The reason recorded when the final attempt fails with a transient error. */
  readonly describeFinalFailure?: (reason: string) => string;
}

export const FIRST_ATTEMPT: Attempt = { number: 1, final: false };

export type Outcome = 'submitted' | 'duplicate' | 'rejected' | 'ignored';

type Json = Record<string, unknown>;
const objectAt = (value: unknown, key: string): Json | undefined => {
  const child = (value as Json | undefined)?.[key];
  return typeof child === 'object' && child !== null ? (child as Json) : undefined;
};

/** Reads an EventBridge S3 "Object Created" event; anything else is malformed. */
export function parseObjectCreated(body: string): ObjectCreated {
  const event = parseJson(body, 'message body') as Json;
  const detail = objectAt(event, 'detail');
  if (event?.source !== 'aws.s3' || event?.['detail-type'] !== 'Object Created' || !detail) {
    throw new MalformedMessageError('not an EventBridge S3 "Object Created" event');
  }
  const bucket = objectAt(detail, 'bucket')?.name;
  const object = objectAt(detail, 'object');
  const [key, size, etag, versionId] = [object?.key, object?.size, object?.etag, object?.['version-id']];
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof size !== 'number' || typeof etag !== 'string') {
    throw new MalformedMessageError('S3 event without bucket name, object key, size or etag');
  }
  return { bucket, key, size, etag, ...(typeof versionId === 'string' && versionId !== '' ? { versionId } : {}) };
}

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

/**
 * Submits one uploaded document: claims its record, stages an immutable copy of the exact
 * version the event named, calls InvokeEndpointAsync with an InferenceId derived from bucket,
 * key and ETag, and marks it PENDING.
 *
 * Every claimed record ends final or in a retry that can finish: a permanent error (see
 * common/submission-errors) is recorded FAILED with its reason and the message acknowledged; a
 * transient one hands the message back to SQS, and on the last delivery before the
 * dead-letter queue the record is marked FAILED as retryable, so a redrive can claim it again.
 * A redelivered event for a document already PENDING or finished is skipped.
 */
export async function submitObject(object: ObjectCreated, deps: InvokerDeps, attempt: Attempt = FIRST_ATTEMPT): Promise<Outcome> {
  const { settings, log } = deps;
  const now = (deps.now ?? (() => new Date()))();
  if (object.bucket !== settings.bucket || !object.key.startsWith(settings.inputPrefix)) {
    log('info', 'ignored: not a document under the input prefix', { bucket: object.bucket, key: object.key });
    return 'ignored';
  }
  if (object.key.endsWith('/') && object.size === 0) {
    log('info', 'ignored: a folder marker, not a document', { key: object.key });
    return 'ignored';
  }
  const inferenceId = inferenceIdForObject(object.bucket, object.key, object.etag);
  const context = { inferenceId, key: object.key, versionId: object.versionId };
  const base = {
    inferenceId,
    sourceBucket: object.bucket,
    sourceKey: object.key,
    sourceEtag: object.etag,
    sourceVersionId: object.versionId,
    sourceSize: object.size,
    modelId: settings.modelId,
    modelRevision: settings.modelRevision,
    submittedThrough: 'pipeline',
    submittedAt: now.toISOString(),
    expiresAt: expiryEpochSeconds(now, settings.retentionDays),
  };

  const classification = classifyDocument(object.key, object.size);
  if (!classification.ok) {
    await recordRejection(base, classification.reason, now, deps);
    log('warn', 'rejected', { ...context, reason: classification.reason });
    return 'rejected';
  }

  try {
    await deps.table.send(
      new PutCommand({
        TableName: settings.tableName,
        Item: { ...base, status: 'SUBMITTING', attempt: attempt.number, ...statusKeys('SUBMITTING', now) },
        // A record may be claimed again while it is SUBMITTING (an earlier attempt died before
        // confirming) or FAILED as retryable (dead-lettered, then redriven).
        ConditionExpression: 'attribute_not_exists(inferenceId) OR #status = :submitting OR (#status = :failed AND retryable = :true)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':submitting': 'SUBMITTING', ':failed': 'FAILED', ':true': true },
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    log('info', 'duplicate event: this document version was already submitted', context);
    return 'duplicate';
  }

  try {
    const staged = await stageInput(object, classification.kind, inferenceId, deps);
    const request = invocationRequest({
      endpointName: settings.endpointName,
      bucket: settings.bucket,
      key: staged.key,
      kind: staged.kind,
      inferenceId,
      invocationTimeoutSeconds: settings.invocationTimeoutSeconds,
    });
    const response = await withRetry(() => deps.sagemaker.send(new InvokeEndpointAsyncCommand(request)), {
      attempts: 5,
      baseDelayMs: 200,
      sleep: deps.sleep,
    });
    await markPending(inferenceId, request.InputLocation!, request.ContentType!, staged, response, now, deps);
    // After the request is queued, so that a woken instance always finds work waiting.
    await deps.waker?.afterSubmit();
    log('info', 'submitted', { ...context, format: staged.format, pages: staged.pages, inputLocation: request.InputLocation, outputLocation: response.OutputLocation });
    return 'submitted';
  } catch (error) {
    const { permanent, reason } = classifySubmissionError(error);
    if (permanent) {
      await markFailed(inferenceId, reason, false, now, deps);
      log('warn', 'failed permanently; recorded FAILED', { ...context, reason });
      return 'rejected';
    }
    if (attempt.final) {
      const describe = attempt.describeFinalFailure ?? ((r: string) => `dead-lettered after ${attempt.number} attempts: ${r}`);
      await markFailed(inferenceId, describe(reason), true, now, deps);
    }
    throw error;
  }
}

/**
 * Sets a record's status (with its `day`/`statusAt` keys) and attributes, only if `condition`
 * holds; false when it did not (another writer got there first, and its write stands).
 * `condition` may use `#status` and its own `:values`.
 */
export async function setStatusIf(
  inferenceId: string,
  status: 'PENDING' | 'FAILED',
  attributes: Record<string, unknown>,
  condition: { readonly expression: string; readonly values: Record<string, unknown> },
  now: Date,
  deps: Pick<InvokerDeps, 'table' | 'settings'>,
): Promise<boolean> {
  const present = Object.entries({ ...attributes, status, ...statusKeys(status, now) }).filter(([, v]) => v !== undefined);
  try {
    await deps.table.send(
      new UpdateCommand({
        TableName: deps.settings.tableName,
        Key: { inferenceId },
        UpdateExpression: `SET ${present.map(([name]) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: Object.fromEntries(present.map(([name]) => [`#${name}`, name])),
        ExpressionAttributeValues: { ...Object.fromEntries(present.map(([name, value]) => [`:${name}`, value])), ...condition.values },
      }),
    );
    return true;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    return false;
  }
}

/**
 * Sets the record's status and attributes, only while it is SUBMITTING: a result notification
 * that arrived meanwhile (a final status) wins, and nothing is overwritten.
 */
async function updateIfSubmitting(
  inferenceId: string,
  status: 'PENDING' | 'FAILED',
  attributes: Record<string, unknown>,
  now: Date,
  deps: Pick<InvokerDeps, 'table' | 'settings'>,
): Promise<void> {
  await setStatusIf(inferenceId, status, attributes, { expression: '#status = :submitting', values: { ':submitting': 'SUBMITTING' } }, now, deps);
}

/** Submitted: where SageMaker reads the input and will write the result, and what the document was. */
function markPending(
  inferenceId: string,
  inputLocation: string,
  contentType: string,
  staged: Staged,
  response: { OutputLocation?: string; FailureLocation?: string },
  now: Date,
  deps: InvokerDeps,
): Promise<void> {
  return updateIfSubmitting(
    inferenceId,
    'PENDING',
    {
      inputLocation,
      contentType,
      endpointName: deps.settings.endpointName,
      outputLocation: response.OutputLocation ?? null,
      failureLocation: response.FailureLocation ?? null,
      // What the record says about the document itself (absent for .json payloads).
      format: staged.format,
      pages: staged.pages,
      extractedCharacters: staged.extractedCharacters,
      title: staged.title,
      referencesExcludedCharacters: staged.referencesExcludedCharacters,
      referencesLocation: staged.referencesLocation,
    },
    now,
    deps,
  );
}

async function recordRejection(base: Record<string, unknown>, reason: string, now: Date, deps: InvokerDeps): Promise<void> {
  try {
    await deps.table.send(
      new PutCommand({
        TableName: deps.settings.tableName,
        Item: { ...base, status: 'FAILED', failureReason: reason, retryable: false, completedAt: now.toISOString(), ...statusKeys('FAILED', now) },
        ConditionExpression: 'attribute_not_exists(inferenceId)',
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

/**
 * Records FAILED with the reason. `retryable` records may be claimed again (a DLQ redrive or a
 * re-run); the others are final. Only a record still SUBMITTING is changed: a result that
 * arrived meanwhile wins.
 */
export function markFailed(inferenceId: string, reason: string, retryable: boolean, now: Date, deps: Pick<InvokerDeps, 'table' | 'settings'>): Promise<void> {
  return updateIfSubmitting(inferenceId, 'FAILED', { failureReason: reason, retryable, completedAt: now.toISOString() }, now, deps);
}

/**
 * The most one upload can take in the invoker: extraction's wall-clock bound (PDF pages are
 * checked against it; Word and HTML are bounded by size), the waker's rechecks of an updating
 * endpoint, and half a minute for the S3 copy, InvokeEndpointAsync and DynamoDB with their retries.
 */
export const messageBudgetMs = (limits: ExtractionLimits = DEFAULT_EXTRACTION_LIMITS) =>
  limits.maxSeconds * 1000 + UPDATING_RECHECK.attempts * UPDATING_RECHECK.delayMs + 30_000;

const receiveCountOf = (record: SQSRecord) => Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;

/**
 * SQS batch handler: one EventBridge event per message; failed messages are retried, then
 * dead-lettered. With `remainingMs`, a message is started only while messageBudgetMs() are left,
 * so a slow batch hands its last messages back instead of timing out with all of them.
 */
export function handleIngestBatch(event: SQSEvent, deps: InvokerDeps, remainingMs?: () => number): Promise<SQSBatchResponse> {
  const isLastDelivery = (record: SQSRecord) => receiveCountOf(record) >= deps.settings.maxReceiveCount;
  return processBatch(
    event,
    async (record) => {
      await submitObject(parseObjectCreated(record.body), deps, { number: receiveCountOf(record), final: isLastDelivery(record) });
    },
    deps.log,
    remainingMs && { remainingMs, perMessageMs: messageBudgetMs(deps.extractionLimits), mustProcess: isLastDelivery },
  );
}
