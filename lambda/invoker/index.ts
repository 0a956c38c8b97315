import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { jsonLogger, requiredEnv } from '../shared/log';
import { handleIngestBatch, InvokerDeps } from './handler';
import { SweepSettings, sweepStuckSubmissions } from './sweeper';
import { endpointExists } from './endpoint-exists';
import { EndpointWaker } from '../../common/endpoint-waker';
import { countWaitingWork } from './wake';
import { handleWakeCheck, isAlarmInvocation } from './wake-check';

const endpointName = requiredEnv(process.env, 'ENDPOINT_NAME');
// Set only when the endpoint may scale to zero and waking on submit is on (wakeOnSubmit).
const wakeVariant = process.env.WAKE_VARIANT_NAME;

// Clients live at module scope so warm invocations reuse their connections.
const sagemakerControl = new SageMakerClient({});
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const tableName = requiredEnv(process.env, 'TABLE_NAME');
const deps: InvokerDeps = {
  s3: new S3Client({}),
  sagemaker: new SageMakerRuntimeClient({}),
  table,
  log: jsonLogger,
  settings: {
    bucket: requiredEnv(process.env, 'BUCKET_NAME'),
    inputPrefix: requiredEnv(process.env, 'INPUT_PREFIX'),
    requestsPrefix: requiredEnv(process.env, 'REQUESTS_PREFIX'),
    extractedPrefix: requiredEnv(process.env, 'EXTRACTED_PREFIX'),
    endpointName,
    tableName,
    modelId: requiredEnv(process.env, 'MODEL_ID'),
    modelRevision: requiredEnv(process.env, 'MODEL_REVISION'),
    invocationTimeoutSeconds: Number(requiredEnv(process.env, 'INVOCATION_TIMEOUT_SECONDS')),
    retentionDays: Number(requiredEnv(process.env, 'RETENTION_DAYS')),
    maxReceiveCount: Number(requiredEnv(process.env, 'MAX_RECEIVE_COUNT')),
  },
  waker: wakeVariant
    ? new EndpointWaker({
        sagemaker: sagemakerControl,
        settings: {
          endpointName,
          variantName: wakeVariant,
          backlogPerInstance: Number(requiredEnv(process.env, 'WAKE_BACKLOG_PER_INSTANCE')),
          maxInstances: Number(requiredEnv(process.env, 'WAKE_MAX_INSTANCES')),
        },
        log: jsonLogger,
        waitingWork: () => countWaitingWork(table, tableName, new Date()),
      })
    : undefined,
  endpointExists: (name) => endpointExists(sagemakerControl, name),
};

const sweep: SweepSettings = {
  staleAfterSeconds: Number(requiredEnv(process.env, 'SWEEP_STALE_AFTER_SECONDS')),
  lookbackDays: Number(requiredEnv(process.env, 'SWEEP_LOOKBACK_DAYS')),
  pendingCheckAfterSeconds: Number(requiredEnv(process.env, 'SWEEP_PENDING_CHECK_AFTER_SECONDS')),
  pendingDeadlineSeconds: Number(requiredEnv(process.env, 'SWEEP_PENDING_DEADLINE_SECONDS')),
  maxSubmissions: Number(requiredEnv(process.env, 'SWEEP_MAX_SUBMISSIONS')),
  maxPendingPerSweep: Number(requiredEnv(process.env, 'SWEEP_MAX_PENDING')),
};

/**
 * The ingest queue's batches, the stranded-requests alarm's wake check (a CloudWatch alarm
 * action), and the scheduled sweep (an EventBridge "Scheduled Event").
 */
export const handler = (event: SQSEvent | { 'detail-type'?: string } | { source?: string }, context?: Pick<Context, 'getRemainingTimeInMillis'>) =>
  'Records' in event
    ? handleIngestBatch(event, deps, context && (() => context.getRemainingTimeInMillis()))
    : isAlarmInvocation(event)
      ? handleWakeCheck(event, deps)
      : sweepStuckSubmissions(sweep, deps);
