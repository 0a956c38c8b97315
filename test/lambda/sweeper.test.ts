import 'aws-sdk-client-mock-jest';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { inferenceIdForObject } from '../../common/inference-id';
import { statusKeys } from '../../common/summary-record';
import { InvokerDeps } from '../../lambda/invoker/handler';
import { SweepSettings, sweepStuckSubmissions } from '../../lambda/invoker/sweeper';
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
const SWEEP: SweepSettings = {
  staleAfterSeconds: 3 * 3600,
  lookbackDays: 14,
  pendingCheckAfterSeconds: 1800,
  pendingDeadlineSeconds: 21_600 + 900 + 1800,
  maxSubmissions: 2,
  maxPendingPerSweep: 500,
};
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
  s3.on(HeadObjectCommand).callsFake((i) => bucket.headObject(i));
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

  expect(report).toMatchObject({ stuck: 2, resubmitted: 2, failed: 0 });
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
  expect(report).toMatchObject({ stuck: 1, resubmitted: 0, failed: 1 });
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
    _aws: {
      CloudWatchMetrics: [
        {
          Namespace: 'PegasusSummarizer/Pipeline',
          Dimensions: [['TableName']],
          Metrics: [
            { Name: 'StuckSubmissions', Unit: 'Count' },
            { Name: 'PendingWithoutResult', Unit: 'Count' },
          ],
        },
      ],
    },
    TableName: 'summaries',
    StuckSubmissions: 1,
  });
  expect(second).toMatchObject({ StuckSubmissions: 0, PendingWithoutResult: 0 });
});

describe('records PENDING whose result never reached the table', () => {
  const SUBMITTED = '2026-11-24T02:00:00.000Z'; // 10 h ago: past 6 h TTL + 15 min timeout + 30 min grace
  const RECENT = '2026-11-24T10:30:00.000Z'; // 1.5 h ago: a result may still come

  /** A record the invoker marked PENDING at `since`, sent to `endpointName`. */
  function pendingRecord(name: string, since: string, extra: Record<string, unknown> = {}) {
    const inferenceId = name.padEnd(64, '0');
    bucket.put(`requests/${inferenceId}.txt`, 'The staged text.');
    table.items.set(inferenceId, {
      inferenceId,
      status: 'PENDING',
      sourceBucket: 'docs-bucket',
      sourceKey: `input/${name}.txt`,
      inputLocation: `s3://docs-bucket/requests/${inferenceId}.txt`,
      contentType: 'text/plain',
      outputLocation: `s3://docs-bucket/output/${name}.out`,
      failureLocation: `s3://docs-bucket/failure/${name}-error.out`,
      endpointName: 'ep',
      submittedAt: since,
      ...statusKeys('PENDING', new Date(since)),
      ...extra,
    });
    return inferenceId;
  }

  test('a result whose notification was lost is recorded from the output object', async () => {
    const id = pendingRecord('lost-success', RECENT);
    bucket.put('output/lost-success.out', JSON.stringify([{ summary_text: 'Recovered summary.', strategy: 'map-reduce', input_tokens: 900, windows: 1, rounds: 1 }]));
    const report = await sweepStuckSubmissions(SWEEP, deps);
    expect(report.pending).toEqual({ checked: 1, recovered: 1, resubmitted: 0, failed: 0 });
    expect(table.items.get(id)).toMatchObject({
      status: 'COMPLETED',
      summary: 'Recovered summary.',
      inputTokens: 900,
      recoveredBy: 'sweeper',
      completedAt: '2026-11-24T03:00:00.000Z',
      outputLocation: 's3://docs-bucket/output/lost-success.out',
    });
    expect(sagemaker.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(0);
  });

  test('a failure whose notification was lost is recorded from the failure object', async () => {
    const id = pendingRecord('lost-failure', SUBMITTED);
    bucket.put('failure/lost-failure-error.out', 'invalid request: the document is empty (nothing but white space)');
    await sweepStuckSubmissions(SWEEP, deps);
    expect(table.items.get(id)).toMatchObject({ status: 'FAILED', failureReason: 'invalid request: the document is empty (nothing but white space)', recoveredBy: 'sweeper' });
    expect(sagemaker.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(0);
  });

  test('with neither, past its deadline, it is sent again from its staged copy', async () => {
    const id = pendingRecord('expired', SUBMITTED);
    const report = await sweepStuckSubmissions(SWEEP, deps);
    expect(report.pending).toEqual({ checked: 1, recovered: 0, resubmitted: 1, failed: 0 });
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      EndpointName: 'ep',
      InferenceId: id,
      InputLocation: `s3://docs-bucket/requests/${id}.txt`,
      ContentType: 'text/plain',
      RequestTTLSeconds: 21_600,
      InvocationTimeoutSeconds: 900,
    });
    expect(table.items.get(id)).toMatchObject({
      status: 'PENDING',
      submissions: 2,
      outputLocation: `s3://docs-bucket/output/${id}.out`,
      resubmittedAt: NOW.toISOString(),
      resubmitReason: expect.stringMatching(/^no result 6\.8 h after it was submitted at 2026-11-24T02:00:00\.000Z/),
      ...statusKeys('PENDING', NOW),
    });
  });

  test('with neither, after its last submission, it ends FAILED (retryable) with the reason', async () => {
    const id = pendingRecord('given-up', SUBMITTED, { submissions: 2 });
    const report = await sweepStuckSubmissions(SWEEP, deps);
    expect(report.pending).toMatchObject({ failed: 1, resubmitted: 0 });
    expect(table.items.get(id)).toMatchObject({
      status: 'FAILED',
      retryable: true,
      failureReason: expect.stringMatching(/^no result .* not submitted again: it was submitted 2 times$/),
    });
    expect(sagemaker.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(0);
  });

  test('a young request without result is left alone; one too young is not even looked at', async () => {
    const waiting = pendingRecord('waiting', RECENT);
    const fresh = pendingRecord('fresh', '2026-11-24T11:50:00.000Z');
    const report = await sweepStuckSubmissions(SWEEP, deps);
    expect(report.pending).toEqual({ checked: 1, recovered: 0, resubmitted: 0, failed: 0 });
    expect(table.items.get(waiting)).toMatchObject({ status: 'PENDING', statusAt: `PENDING#${RECENT}` });
    expect(table.items.get(fresh)).toMatchObject({ status: 'PENDING' });
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['output/waiting.out', 'failure/waiting-error.out']);
  });

  test('a request on an endpoint that an update replaced and deleted is sent to the current one at once', async () => {
    const gone = pendingRecord('on-deleted', RECENT, { endpointName: 'ep-old-g6' });
    const draining = pendingRecord('on-draining', RECENT, { endpointName: 'ep-old-g4dn' });
    const exists = jest.fn(async (name: string) => name === 'ep-old-g4dn');
    const report = await sweepStuckSubmissions(SWEEP, { ...deps, endpointExists: exists });
    expect(report.pending).toMatchObject({ resubmitted: 1 });
    expect(table.items.get(gone)).toMatchObject({ status: 'PENDING', endpointName: 'ep', submissions: 2, resubmitReason: expect.stringContaining('its endpoint ep-old-g6 was replaced') });
    expect(table.items.get(draining)).toMatchObject({ status: 'PENDING', endpointName: 'ep-old-g4dn' });
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1);
  });

  test('a result the recorder writes while the sweep resubmits wins', async () => {
    const id = pendingRecord('raced', SUBMITTED);
    sagemaker.on(InvokeEndpointAsyncCommand).callsFake((i) => {
      // The notification arrives just now: the recorder completes the record.
      table.items.set(id, { ...table.items.get(id)!, status: 'COMPLETED', summary: 'From the recorder.', ...statusKeys('COMPLETED', NOW) });
      return { OutputLocation: `s3://docs-bucket/output/${i.InferenceId}-2.out` };
    });
    await sweepStuckSubmissions(SWEEP, deps);
    expect(table.items.get(id)).toMatchObject({ status: 'COMPLETED', summary: 'From the recorder.' });
  });

  test('the PendingWithoutResult metric counts what the sweep acted on', async () => {
    pendingRecord('a', SUBMITTED);
    pendingRecord('b', RECENT);
    bucket.put('output/b.out', JSON.stringify([{ summary_text: 'x' }]));
    pendingRecord('c', RECENT);
    await sweepStuckSubmissions(SWEEP, deps);
    expect(JSON.parse(metricLines[0])).toMatchObject({ StuckSubmissions: 0, PendingWithoutResult: 2, pending: { checked: 3, recovered: 1, resubmitted: 1 } });
  });
});
