import { CopyObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { inferenceIdForObject } from '../../common/inference-id';
import { statusKeys } from '../../common/summary-record';
import { InvokerDeps } from '../../lambda/invoker/handler';
import { sweepStuckSubmissions } from '../../lambda/invoker/sweeper';
import { FakeBucket } from '../helpers/fake-s3';
import { FakeTable } from '../helpers/fake-table';
import { noSleep } from '../helpers/lambda';

const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerRuntimeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let bucket: FakeBucket;
let table: FakeTable;
let metricLines: string[];

const NOW = new Date('2026-11-24T12:00:00.000Z');
const SWEEP = { staleAfterSeconds: 3 * 3600, lookbackDays: 14 };
const deps: InvokerDeps = {
  s3: new S3Client({}),
  sagemaker: new SageMakerRuntimeClient({}),
  table: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  log: () => undefined,
  now: () => NOW,
  sleep: noSleep,
  settings: { bucket: 'docs-bucket', inputPrefix: 'input/', requestsPrefix: 'requests/', extractedPrefix: 'extracted/', endpointName: 'ep', tableName: 'summaries', modelId: 'm', invocationTimeoutSeconds: 900, retentionDays: 0, maxReceiveCount: 5 },
};

/** A record an invoker claimed at `claimedAt` and never finished (its Lambda timed out). */
function stuckRecord(key: string, claimedAt: string, upload = bucket.put(key, 'Text.')) {
  const inferenceId = inferenceIdForObject('docs-bucket', key, upload.etag);
  table.items.set(inferenceId, {
    inferenceId,
    status: 'SUBMITTING',
    sourceBucket: 'docs-bucket',
    sourceKey: key,
    sourceEtag: upload.etag,
    sourceVersionId: upload.versionId,
    sourceSize: upload.body.length,
    attempt: 5,
    submittedAt: claimedAt,
    ...statusKeys('SUBMITTING', new Date(claimedAt)),
  });
  return inferenceId;
}

beforeEach(() => {
  bucket = new FakeBucket();
  table = new FakeTable();
  for (const m of [s3, sagemaker, dynamo]) m.reset();
  s3.on(CopyObjectCommand).callsFake((i) => bucket.copy(i));
  s3.on(GetObjectCommand).callsFake((i) => bucket.getObject(i));
  dynamo.on(PutCommand).callsFake((i) => table.put(i));
  dynamo.on(UpdateCommand).callsFake((i) => table.update(i));
  dynamo.on(QueryCommand).callsFake((i) => table.query(i));
  sagemaker.on(InvokeEndpointAsyncCommand).callsFake((i) => ({ OutputLocation: `s3://docs-bucket/output/${i.InferenceId}.out` }));
  metricLines = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void metricLines.push(line));
});
afterEach(() => jest.restoreAllMocks());

test('a record stuck past the retry window is resubmitted through the same path; a young one is left alone', async () => {
  const old = stuckRecord('input/old.txt', '2026-11-24T08:30:00.000Z'); // 3.5 h ago
  const older = stuckRecord('input/older.txt', '2026-11-20T23:59:00.000Z'); // days ago, another day partition
  const young = stuckRecord('input/young.txt', '2026-11-24T10:00:00.000Z'); // 2 h ago: its retries may still run

  const report = await sweepStuckSubmissions(SWEEP, deps);

  expect(report).toEqual({ stuck: 2, resubmitted: 2, failed: 0 });
  expect(table.items.get(old)).toMatchObject({ status: 'PENDING', inputLocation: `s3://docs-bucket/requests/${old}.txt`, attempt: 6 });
  expect(table.items.get(older)).toMatchObject({ status: 'PENDING' });
  expect(table.items.get(young)).toMatchObject({ status: 'SUBMITTING' });
});

test('a stuck record whose upload is gone ends FAILED with the reason', async () => {
  const id = stuckRecord('input/gone.txt', '2026-11-24T06:00:00.000Z');
  bucket.delete('input/gone.txt');
  await sweepStuckSubmissions(SWEEP, deps);
  expect(table.items.get(id)).toMatchObject({ status: 'FAILED', retryable: false, failureReason: expect.stringContaining('no longer exists') });
});

test('a stuck record that still cannot be submitted ends FAILED (retryable), saying since when it was stuck', async () => {
  sagemaker.on(InvokeEndpointAsyncCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
  const id = stuckRecord('input/stuck.txt', '2026-11-24T06:00:00.000Z');
  const report = await sweepStuckSubmissions(SWEEP, deps);
  expect(report).toEqual({ stuck: 1, resubmitted: 0, failed: 1 });
  expect(table.items.get(id)).toMatchObject({
    status: 'FAILED',
    retryable: true,
    failureReason: 'stuck in SUBMITTING since 2026-11-24T06:00:00.000Z; resubmitting failed: ServiceUnavailable: down',
  });
});

test('each sweep emits the StuckSubmissions metric in embedded metric format, zero included', async () => {
  stuckRecord('input/old.txt', '2026-11-24T08:30:00.000Z');
  await sweepStuckSubmissions(SWEEP, deps);
  await sweepStuckSubmissions(SWEEP, deps);
  const [first, second] = metricLines.map((l) => JSON.parse(l));
  expect(first).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: 'PegasusSummarizer/Pipeline', Dimensions: [['TableName']], Metrics: [{ Name: 'StuckSubmissions', Unit: 'Count' }] }] },
    TableName: 'summaries',
    StuckSubmissions: 1,
  });
  expect(second).toMatchObject({ StuckSubmissions: 0 });
});
