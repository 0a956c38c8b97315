import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handleResultBatch, RecorderDeps } from '../../lambda/recorder/handler';
import { errorNotification, noSleep, s3Body, sqsEvent, successNotification } from '../helpers/lambda';

const s3 = mockClient(S3Client);
const table = mockClient(DynamoDBDocumentClient);
const logs: string[] = [];

const deps: RecorderDeps = {
  s3: new S3Client({}),
  table: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  log: (_level, message) => logs.push(message),
  sleep: noSleep,
  settings: { tableName: 'summaries', bucket: 'docs-bucket', inputPrefix: 'input/', modelId: 'google/pegasus-large', modelRevision: '93928205c2e26274f82e637a8e10033be1e1e975', retentionDays: 90, endpointNamePrefix: 'ep' },
};

const ID = 'a'.repeat(64);
const SUMMARY = 'Stocks rose as inflation eased.';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The SET values of the one UpdateCommand sent. */
function updateValues(): Record<string, unknown> {
  const calls = table.commandCalls(UpdateCommand);
  expect(calls).toHaveLength(1);
  return calls[0].args[0].input.ExpressionAttributeValues as Record<string, unknown>;
}

beforeEach(() => {
  s3.reset();
  table.reset();
  logs.length = 0;
  table.on(UpdateCommand).resolves({ Attributes: { status: 'PENDING' } });
});

describe('success', () => {
  test('with the response inlined in the notification: summary recorded without reading S3', async () => {
    const body = successNotification(ID, {
      responseBody: { content: b64(JSON.stringify([{ summary_text: SUMMARY }])), message: 'Check S3', encoding: 'BASE64' },
    });
    const result = await handleResultBatch(sqsEvent(body), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(s3).not.toHaveReceivedCommand(GetObjectCommand);
    expect(table).toHaveReceivedCommandWith(UpdateCommand, { TableName: 'summaries', Key: { inferenceId: ID } });
    expect(updateValues()).toMatchObject({
      ':status': 'COMPLETED',
      ':summary': SUMMARY,
      ':summaryTruncated': false,
      ':completedAt': '2026-11-24T10:12:00.608Z',
      ':receivedAt': '2026-11-24T10:02:00.455Z',
      ':processingMs': 600_153,
      ':day': '2026-11-24',
      ':statusAt': 'COMPLETED#2026-11-24T10:12:00.608Z',
      ':outputLocation': `s3://docs-bucket/output/${ID}.out`,
      ':modelId': 'google/pegasus-large',
      // Kept if the submission recorded it; set for a request submitted outside the pipeline.
      ':modelRevision': '93928205c2e26274f82e637a8e10033be1e1e975',
      ':expiresAt': Math.floor(Date.parse('2026-11-24T10:12:00.608Z') / 1000) + 90 * 86400,
    });
  });

  test('without an inlined response: the summary is read from the output object', async () => {
    s3.on(GetObjectCommand, { Bucket: 'docs-bucket', Key: `output/${ID}.out` }).resolves({ Body: s3Body(JSON.stringify([{ summary_text: SUMMARY }])) as never });
    await handleResultBatch(sqsEvent(successNotification(ID)), deps);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'docs-bucket', Key: `output/${ID}.out` });
    expect(updateValues()).toMatchObject({ ':status': 'COMPLETED', ':summary': SUMMARY });
  });

  test('what the handler read is recorded: input tokens, windows, rounds, strategy, truncation', async () => {
    const response = [{ summary_text: SUMMARY, strategy: 'map-reduce', input_tokens: 41_210, windows: 43, rounds: 3, truncated: false, round_limit_reached: false, window_tokens: 1024 }];
    s3.on(GetObjectCommand).resolves({ Body: s3Body(JSON.stringify(response)) as never });
    await handleResultBatch(sqsEvent(successNotification(ID)), deps);
    const values = updateValues();
    expect(values).toMatchObject({ ':strategy': 'map-reduce', ':inputTokens': 41_210, ':windows': 43, ':rounds': 3, ':inputTruncated': false, ':roundLimitReached': false });
    expect(table.commandCalls(UpdateCommand)[0].args[0].input.UpdateExpression).toContain('inputTruncated = :inputTruncated');
  });

  test('a truncated summary is recorded as such', async () => {
    s3.on(GetObjectCommand).resolves({ Body: s3Body(JSON.stringify([{ summary_text: SUMMARY, strategy: 'truncate', input_tokens: 9000, windows: 1, rounds: 1, truncated: true }])) as never });
    await handleResultBatch(sqsEvent(successNotification(ID)), deps);
    expect(updateValues()).toMatchObject({ ':strategy': 'truncate', ':inputTruncated': true });
  });

  test('an unreadable output object is retried by SQS, not recorded without its summary', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const result = await handleResultBatch(sqsEvent(successNotification(ID)), deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(table).not.toHaveReceivedCommand(UpdateCommand);
  });

  test('a very long summary is truncated in the table and flagged (the full text stays in S3)', async () => {
    const long = 'x'.repeat(100_005);
    s3.on(GetObjectCommand).resolves({ Body: s3Body(JSON.stringify([{ summary_text: long }])) as never });
    await handleResultBatch(sqsEvent(successNotification(ID)), deps);
    const values = updateValues();
    expect((values[':summary'] as string).length).toBe(100_000);
    expect(values[':summaryTruncated']).toBe(true);
  });

  test('a duplicate delivery writes the same record again (idempotent)', async () => {
    s3.on(GetObjectCommand).callsFake(() => ({ Body: s3Body(JSON.stringify([{ summary_text: SUMMARY }])) }));
    await handleResultBatch(sqsEvent(successNotification(ID), successNotification(ID)), deps);
    const [first, second] = table.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(second).toEqual(first);
  });
});

describe('error', () => {
  test('recorded FAILED with the reason and failure location', async () => {
    const result = await handleResultBatch(sqsEvent(errorNotification(ID)), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(updateValues()).toMatchObject({
      ':status': 'FAILED',
      ':failureReason': expect.stringContaining('Received client error (400) from model'),
      ':failureLocation': `s3://docs-bucket/failure/${ID}-error.out`,
      ':statusAt': 'FAILED#2026-11-24T10:05:00.000Z',
      ':processingMs': 180_000,
    });
    expect(updateValues()).not.toHaveProperty(':summary');
  });

  test('without a failureReason, the reason is read from the failure object', async () => {
    s3.on(GetObjectCommand, { Bucket: 'docs-bucket', Key: `failure/${ID}-error.out` }).resolves({ Body: s3Body('IndexError: index out of range in self') as never });
    await handleResultBatch(sqsEvent(errorNotification(ID, { failureReason: undefined })), deps);
    expect(updateValues()).toMatchObject({ ':failureReason': 'IndexError: index out of range in self' });
  });
});

describe('unusual and bad messages', () => {
  test('a SageMaker test notification is acknowledged with a log line and not recorded', async () => {
    const body = JSON.stringify({ eventVersion: '1.0', eventSource: 'aws:sagemaker', eventName: 'TestNotification' });
    const result = await handleResultBatch(sqsEvent(body), deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(table).not.toHaveReceivedAnyCommand();
    expect(logs[0]).toMatch(/test notification/);
  });

  test('a result for an unknown inference id is recorded anyway, with its source from the input location', async () => {
    table.on(UpdateCommand).resolves({});
    const body = errorNotification(ID, { requestParameters: { endpointName: 'ep', inputLocation: 's3://docs-bucket/input/cli/paper.json' } });
    await handleResultBatch(sqsEvent(body), deps);
    expect(updateValues()).toMatchObject({
      ':sourceKey': 'input/cli/paper.json',
      ':sourceBucket': 'docs-bucket',
      ':submittedAt': '2026-11-24T10:02:00.000Z',
    });
    const update = table.commandCalls(UpdateCommand)[0].args[0].input.UpdateExpression!;
    expect(update).toContain('sourceKey = if_not_exists(sourceKey, :sourceKey)');
    expect(logs).toContain('result for an inference id the pipeline did not submit; recorded it anyway');
  });

  test('an SNS envelope (raw delivery off) is unwrapped', async () => {
    const envelope = JSON.stringify({ Type: 'Notification', MessageId: 'x', Message: errorNotification(ID) });
    await handleResultBatch(sqsEvent(envelope), deps);
    expect(updateValues()).toMatchObject({ ':status': 'FAILED' });
  });

  test.each([
    ['not JSON', 'Completed!'],
    ['an unknown event', JSON.stringify({ eventName: 'SomethingElse' })],
    ['no inference id', JSON.stringify({ eventName: 'InferenceResult', invocationStatus: 'Completed' })],
    ['an unknown status', JSON.stringify({ eventName: 'InferenceResult', inferenceId: 'x', invocationStatus: 'Maybe' })],
  ])('a malformed message (%s) fails its item so SQS moves it to the DLQ; the rest of the batch is recorded', async (_name, body) => {
    const result = await handleResultBatch(sqsEvent(body, errorNotification(ID)), deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(table).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });
});

describe('whose result it is', () => {
  test('a result naming an endpoint that is not this app\'s is not recorded, whoever published it', async () => {
    const body = successNotification(ID, { requestParameters: { contentType: 'text/plain', endpointName: 'someone-elses-endpoint', inputLocation: 's3://x/y' } });
    const result = await handleResultBatch(sqsEvent(body), deps);
    expect(result.batchItemFailures).toEqual([]); // not retried: it never will be ours
    expect(table).not.toHaveReceivedCommand(UpdateCommand);
    expect(logs).toContain("a result from an endpoint that is not this app's was not recorded");
  });

  test('a result without an endpoint name is not recorded either', async () => {
    const body = JSON.parse(successNotification(ID));
    delete body.requestParameters.endpointName;
    await handleResultBatch(sqsEvent(JSON.stringify(body)), deps);
    expect(table).not.toHaveReceivedCommand(UpdateCommand);
  });

  test('a result of this endpoint for an id the pipeline did not submit is recorded, marked outside-pipeline unless the record says pipeline', async () => {
    s3.on(GetObjectCommand).resolves({ Body: s3Body(JSON.stringify([{ summary_text: SUMMARY }])) as never });
    await handleResultBatch(sqsEvent(successNotification(ID)), deps);
    const call = table.commandCalls(UpdateCommand)[0].args[0].input;
    expect(call.UpdateExpression).toContain('submittedThrough = if_not_exists(submittedThrough, :submittedThrough)');
    expect(call.ExpressionAttributeValues).toMatchObject({ ':submittedThrough': 'outside-pipeline' });
  });
});
