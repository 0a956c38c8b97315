import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { inferenceIdForObject } from '../../common/inference-id';
import { classifyDocument, decodeUtf8, PAYLOAD_CONTENT_TYPE, wrapText } from '../../common/payload';
import { withRetry } from '../../common/retry';
import { expiryEpochSeconds, statusKeys } from '../../common/summary-record';
import type { Logger } from '../shared/log';
import { MalformedMessageError, parseJson, processBatch } from '../shared/sqs-batch';

export interface InvokerSettings {
  readonly bucket: string;
  readonly inputPrefix: string;
  /** Where wrapped text payloads are written (outside input/, so they do not trigger us again). */
  readonly requestsPrefix: string;
  readonly endpointName: string;
  readonly tableName: string;
  readonly modelId: string;
  readonly invocationTimeoutSeconds: number;
  readonly retentionDays: number;
}

export interface InvokerDeps {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerRuntimeClient;
  readonly table: DynamoDBDocumentClient;
  readonly settings: InvokerSettings;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The part of an EventBridge "Object Created" event we use. */
export interface ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

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
  const [key, size, etag] = [object?.key, object?.size, object?.etag];
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof size !== 'number' || typeof etag !== 'string') {
    throw new MalformedMessageError('S3 event without bucket name, object key, size or etag');
  }
  return { bucket, key, size, etag };
}

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

/**
 * Submits one uploaded document: records it, wraps text into a request payload, calls
 * InvokeEndpointAsync with an InferenceId derived from bucket, key and ETag, and marks it PENDING.
 *
 * At-least-once and idempotent: the record is claimed as SUBMITTING before the call, so a
 * redelivered event for a document already PENDING or finished is skipped, while one whose
 * earlier attempt died before confirming the call is submitted again.
 */
export async function submitObject(object: ObjectCreated, deps: InvokerDeps): Promise<Outcome> {
  const { settings, log } = deps;
  const now = (deps.now ?? (() => new Date()))();
  if (object.bucket !== settings.bucket || !object.key.startsWith(settings.inputPrefix)) {
    log('info', 'ignored: not a document under the input prefix', { bucket: object.bucket, key: object.key });
    return 'ignored';
  }
  const inferenceId = inferenceIdForObject(object.bucket, object.key, object.etag);
  const context = { inferenceId, key: object.key };
  const base = {
    inferenceId,
    sourceBucket: object.bucket,
    sourceKey: object.key,
    sourceEtag: object.etag,
    modelId: settings.modelId,
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
        Item: { ...base, status: 'SUBMITTING', ...statusKeys('SUBMITTING', now) },
        ConditionExpression: 'attribute_not_exists(inferenceId) OR #status = :submitting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':submitting': 'SUBMITTING' },
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    log('info', 'duplicate event: this document version was already submitted', context);
    return 'duplicate';
  }

  let inputLocation = `s3://${object.bucket}/${object.key}`;
  if (classification.kind === 'text') {
    const source = await deps.s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: object.etag }));
    const decoded = decodeUtf8(await source.Body!.transformToByteArray());
    if (!decoded.ok) {
      await markFailed(inferenceId, decoded.reason, now, deps);
      log('warn', 'rejected', { ...context, reason: decoded.reason });
      return 'rejected';
    }
    const requestKey = `${settings.requestsPrefix}${inferenceId}.json`;
    await deps.s3.send(
      new PutObjectCommand({ Bucket: object.bucket, Key: requestKey, Body: wrapText(decoded.text), ContentType: PAYLOAD_CONTENT_TYPE }),
    );
    inputLocation = `s3://${object.bucket}/${requestKey}`;
  }

  const response = await withRetry(
    () =>
      deps.sagemaker.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: settings.endpointName,
          InputLocation: inputLocation,
          ContentType: PAYLOAD_CONTENT_TYPE,
          InferenceId: inferenceId,
          InvocationTimeoutSeconds: settings.invocationTimeoutSeconds,
        }),
      ),
    { attempts: 5, baseDelayMs: 200, sleep: deps.sleep },
  );

  try {
    await deps.table.send(
      new UpdateCommand({
        TableName: settings.tableName,
        Key: { inferenceId },
        UpdateExpression:
          'SET #status = :pending, inputLocation = :input, outputLocation = :output, failureLocation = :failure, #day = :day, statusAt = :statusAt',
        ConditionExpression: '#status = :submitting',
        ExpressionAttributeNames: { '#status': 'status', '#day': 'day' },
        ExpressionAttributeValues: {
          ':pending': 'PENDING',
          ':submitting': 'SUBMITTING',
          ':input': inputLocation,
          ':output': response.OutputLocation ?? null,
          ':failure': response.FailureLocation ?? null,
          ':day': statusKeys('PENDING', now).day,
          ':statusAt': statusKeys('PENDING', now).statusAt,
        },
      }),
    );
  } catch (e) {
    // The result notification was recorded first (the record is already final): nothing to do.
    if (!isConditionFailure(e)) throw e;
  }
  log('info', 'submitted', { ...context, inputLocation, outputLocation: response.OutputLocation });
  return 'submitted';
}

async function recordRejection(
  base: Record<string, unknown>,
  reason: string,
  now: Date,
  deps: InvokerDeps,
): Promise<void> {
  try {
    await deps.table.send(
      new PutCommand({
        TableName: deps.settings.tableName,
        Item: { ...base, status: 'FAILED', failureReason: reason, completedAt: now.toISOString(), ...statusKeys('FAILED', now) },
        ConditionExpression: 'attribute_not_exists(inferenceId)',
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

async function markFailed(inferenceId: string, reason: string, now: Date, deps: InvokerDeps): Promise<void> {
  const keys = statusKeys('FAILED', now);
  await deps.table.send(
    new UpdateCommand({
      TableName: deps.settings.tableName,
      Key: { inferenceId },
      UpdateExpression: 'SET #status = :failed, failureReason = :reason, completedAt = :now, #day = :day, statusAt = :statusAt',
      ExpressionAttributeNames: { '#status': 'status', '#day': 'day' },
      ExpressionAttributeValues: { ':failed': 'FAILED', ':reason': reason, ':now': now.toISOString(), ':day': keys.day, ':statusAt': keys.statusAt },
    }),
  );
}

/** SQS batch handler: one EventBridge event per message; failed messages are retried, then dead-lettered. */
export function handleIngestBatch(event: SQSEvent, deps: InvokerDeps): Promise<SQSBatchResponse> {
  return processBatch(event, async (record) => {
    await submitObject(parseObjectCreated(record.body), deps);
  }, deps.log);
}
