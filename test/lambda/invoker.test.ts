import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { inferenceIdForObject } from '../../common/inference-id';
import { handleIngestBatch, InvokerDeps, parseObjectCreated } from '../../lambda/invoker/handler';
import { noSleep, objectCreatedEvent, s3Body, sqsEvent } from '../helpers/lambda';

const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerRuntimeClient);
const table = mockClient(DynamoDBDocumentClient);
const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];

const deps: InvokerDeps = {
  s3: new S3Client({}),
  sagemaker: new SageMakerRuntimeClient({}),
  table: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  log: (level, message, fields) => logs.push([level, message, fields]),
  now: () => new Date('2026-11-24T10:00:00.000Z'),
  sleep: noSleep,
  settings: {
    bucket: 'docs-bucket',
    inputPrefix: 'input/',
    requestsPrefix: 'requests/',
    endpointName: 'ep',
    tableName: 'summaries',
    modelId: 'google/pegasus-large',
    invocationTimeoutSeconds: 1800,
    retentionDays: 90,
  },
};

const ETAG = '"9a0364b9e99bb480dd25e1f0284c8555"';
const idOf = (key: string) => inferenceIdForObject('docs-bucket', key, ETAG);
const conditionFailed = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

beforeEach(() => {
  s3.reset();
  sagemaker.reset();
  table.reset();
  logs.length = 0;
  sagemaker.on(InvokeEndpointAsyncCommand).callsFake((input) => ({
    InferenceId: input.InferenceId,
    OutputLocation: `s3://docs-bucket/output/${input.InferenceId}.out`,
    FailureLocation: `s3://docs-bucket/failure/${input.InferenceId}-error.out`,
  }));
  table.on(PutCommand).resolves({});
  table.on(UpdateCommand).resolves({});
  s3.on(PutObjectCommand).resolves({});
});

describe('a text document', () => {
  test('is wrapped into a request payload under requests/, submitted, and recorded PENDING', async () => {
    s3.on(GetObjectCommand).resolves({ Body: s3Body('Markets rallied on Tuesday.') as never });
    const id = idOf('input/brief.txt');

    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent('input/brief.txt', 27, ETAG)), deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(table).toHaveReceivedNthCommandWith(1, PutCommand, {
      TableName: 'summaries',
      Item: expect.objectContaining({
        inferenceId: id,
        status: 'SUBMITTING',
        sourceBucket: 'docs-bucket',
        sourceKey: 'input/brief.txt',
        sourceEtag: ETAG,
        modelId: 'google/pegasus-large',
        submittedAt: '2026-11-24T10:00:00.000Z',
        day: '2026-11-24',
        statusAt: 'SUBMITTING#2026-11-24T10:00:00.000Z',
        expiresAt: Date.parse('2026-11-24T10:00:00Z') / 1000 + 90 * 86400,
      }),
      ConditionExpression: 'attribute_not_exists(inferenceId) OR #status = :submitting',
    });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'docs-bucket', Key: 'input/brief.txt', IfMatch: ETAG });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'docs-bucket',
      Key: `requests/${id}.json`,
      ContentType: 'application/json',
      Body: JSON.stringify({ inputs: 'Markets rallied on Tuesday.', parameters: { truncation: true } }),
    });
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      EndpointName: 'ep',
      InputLocation: `s3://docs-bucket/requests/${id}.json`,
      ContentType: 'application/json',
      InferenceId: id,
      InvocationTimeoutSeconds: 1800,
    });
    expect(table).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { inferenceId: id },
      ConditionExpression: '#status = :submitting',
      ExpressionAttributeValues: expect.objectContaining({
        ':pending': 'PENDING',
        ':output': `s3://docs-bucket/output/${id}.out`,
        ':failure': `s3://docs-bucket/failure/${id}-error.out`,
      }),
    });
  });

  test('that is not UTF-8 is recorded FAILED with the reason and not submitted', async () => {
    s3.on(GetObjectCommand).resolves({ Body: s3Body(Uint8Array.from([0x66, 0x6f, 0xff, 0xfe, 0x6f])) as never });
    await handleIngestBatch(sqsEvent(objectCreatedEvent('input/latin1.txt', 5, ETAG)), deps);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(table).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { inferenceId: idOf('input/latin1.txt') },
      ExpressionAttributeValues: expect.objectContaining({ ':failed': 'FAILED', ':reason': 'the document is not valid UTF-8 text' }),
    });
  });
});

describe('a .json request payload', () => {
  test('is passed through as the input location, unread', async () => {
    await handleIngestBatch(sqsEvent(objectCreatedEvent('input/batch/paper.json', 5000, ETAG)), deps);
    expect(s3).not.toHaveReceivedCommand(GetObjectCommand);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(sagemaker).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      InputLocation: 's3://docs-bucket/input/batch/paper.json',
      InferenceId: idOf('input/batch/paper.json'),
    });
  });
});

describe('duplicates and retries', () => {
  test('a duplicate event for a document already submitted is skipped', async () => {
    table.on(PutCommand).rejects(conditionFailed);
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent('input/paper.json', 10, ETAG)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(logs.map(([, m]) => m)).toContain('duplicate event: this document version was already submitted');
  });

  test('the same event twice maps to the same inference id; a new version of the key to a new one', () => {
    expect(idOf('input/a.txt')).toBe(idOf('input/a.txt'));
    expect(inferenceIdForObject('docs-bucket', 'input/a.txt', '"other"')).not.toBe(idOf('input/a.txt'));
    expect(idOf('input/a.txt')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a throttled InvokeEndpointAsync is retried with backoff and succeeds', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    sagemaker.on(InvokeEndpointAsyncCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ OutputLocation: 's3://docs-bucket/output/x.out' });
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent('input/paper.json', 10, ETAG)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 3);
    expect(table).toHaveReceivedCommandWith(UpdateCommand, { ExpressionAttributeValues: expect.objectContaining({ ':pending': 'PENDING' }) });
  });

  test('a call that keeps failing hands the message back to SQS (redelivery, then the DLQ) and stays SUBMITTING', async () => {
    sagemaker.on(InvokeEndpointAsyncCommand).rejects(Object.assign(new Error('Endpoint not found'), { name: 'ValidationError' }));
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent('input/paper.json', 10, ETAG)), deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1); // not retryable
    expect(table).not.toHaveReceivedCommand(UpdateCommand);
  });

  test('a result recorded before the PENDING update is not overwritten', async () => {
    table.on(UpdateCommand).rejects(conditionFailed);
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent('input/paper.json', 10, ETAG)), deps);
    expect(result.batchItemFailures).toEqual([]);
  });
});

describe('bad input', () => {
  test.each([
    ['an empty object', 'input/empty.txt', 0, 'empty object: there is nothing to summarize'],
    ['an object over 1 GB', 'input/huge.json', 1_000_000_001, 'object is 1000000001 bytes; asynchronous inference accepts at most 1000000000 bytes (1 GB)'],
    ['unsupported content', 'input/report.pdf', 2048, 'unsupported content "input/report.pdf": upload text as .txt, .text, .md (wrapped for the model) or a request payload as .json'],
  ])('%s is recorded FAILED with the reason, and not submitted', async (_name, key, size, reason) => {
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent(key, size, ETAG)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(sagemaker).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(table).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ inferenceId: idOf(key), status: 'FAILED', failureReason: reason, sourceKey: key, day: '2026-11-24' }),
      ConditionExpression: 'attribute_not_exists(inferenceId)',
    });
  });

  test.each([
    ['another prefix', 'output/x.out', 'docs-bucket'],
    ['another bucket', 'input/x.txt', 'someone-elses-bucket'],
  ])('an event for %s is ignored with a log line', async (_name, key, bucket) => {
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent(key, 10, ETAG, bucket)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(table).not.toHaveReceivedAnyCommand();
    expect(logs).toContainEqual(['info', 'ignored: not a document under the input prefix', { bucket, key }]);
  });

  test.each([
    ['not JSON', '{"detail-type": '],
    ['not an S3 event', JSON.stringify({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} })],
    ['an S3 event without a key', JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { size: 1 } } })],
  ])('a malformed message (%s) is reported as failed, so SQS dead-letters it', async (_name, body) => {
    const result = await handleIngestBatch(sqsEvent(objectCreatedEvent('input/ok.json', 10, ETAG), body), deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(sagemaker).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1); // the good one went through
  });
});

test('parseObjectCreated reads bucket, key, size and etag', () => {
  expect(parseObjectCreated(objectCreatedEvent('input/a b.txt', 7, ETAG))).toEqual({ bucket: 'docs-bucket', key: 'input/a b.txt', size: 7, etag: ETAG });
});
