import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handleIngestBatch } from '../../lambda/invoker/handler';
import { handleResultBatch } from '../../lambda/recorder/handler';
import { FakeTable } from '../helpers/fake-table';
import { errorNotification, noSleep, objectCreatedEvent, s3Body, sqsEvent, successNotification } from '../helpers/lambda';

/**
 * The whole pipeline through both handlers, with S3, the table and SageMaker played by
 * in-memory fakes: upload → invoker → (SageMaker) → notification → recorder → record.
 */
const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerRuntimeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const objects = new Map<string, Buffer>();
const invocations: Array<{ InferenceId?: string; InputLocation?: string }> = [];
let table: FakeTable;

const clients = { s3: new S3Client({}), table: DynamoDBDocumentClient.from(new DynamoDBClient({})), log: () => undefined, sleep: noSleep };
const invoker = {
  ...clients,
  sagemaker: new SageMakerRuntimeClient({}),
  now: () => new Date('2026-11-24T10:00:00.000Z'),
  settings: { bucket: 'docs-bucket', inputPrefix: 'input/', requestsPrefix: 'requests/', extractedPrefix: 'extracted/', endpointName: 'ep', tableName: 't', modelId: 'google/pegasus-large', invocationTimeoutSeconds: 900, retentionDays: 0, maxReceiveCount: 5 },
};
const recorder = { ...clients, settings: { tableName: 't', bucket: 'docs-bucket', inputPrefix: 'input/', modelId: 'google/pegasus-large', retentionDays: 0 } };

beforeEach(() => {
  objects.clear();
  invocations.length = 0;
  table = new FakeTable();
  s3.reset();
  sagemaker.reset();
  dynamo.reset();
  s3.on(PutObjectCommand).callsFake((i) => void objects.set(`${i.Bucket}/${i.Key}`, Buffer.from(i.Body as string)));
  s3.on(GetObjectCommand).callsFake((i) => {
    const body = objects.get(`${i.Bucket}/${i.Key}`);
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: s3Body(body) };
  });
  s3.on(CopyObjectCommand).callsFake((i) => {
    const [path] = String(i.CopySource).split('?');
    const body = objects.get(decodeURIComponent(path));
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    objects.set(`${i.Bucket}/${i.Key}`, body);
    return {};
  });
  dynamo.on(PutCommand).callsFake((i) => table.put(i));
  dynamo.on(UpdateCommand).callsFake((i) => table.update(i));
  sagemaker.on(InvokeEndpointAsyncCommand).callsFake((i) => {
    invocations.push(i);
    return { InferenceId: i.InferenceId, OutputLocation: `s3://docs-bucket/output/${i.InferenceId}.out` };
  });
});

function upload(key: string, text: string, etag: string): string {
  objects.set(`docs-bucket/${key}`, Buffer.from(text));
  return objectCreatedEvent(key, Buffer.byteLength(text), etag);
}

test('a text upload ends as a COMPLETED record with its summary', async () => {
  const event = upload('input/brief.txt', 'Markets rallied as inflation cooled.', '"e1"');
  await handleIngestBatch(sqsEvent(event, event), invoker); // delivered twice
  expect(invocations).toHaveLength(1);
  const [{ InferenceId: id, InputLocation }] = invocations;
  // SageMaker reads an immutable copy of the upload itself, as text.
  expect(objects.get(InputLocation!.replace('s3://', ''))!.toString()).toBe('Markets rallied as inflation cooled.');
  expect(table.items.get(id!)).toMatchObject({ status: 'PENDING', sourceKey: 'input/brief.txt' });

  // SageMaker writes the result and notifies.
  objects.set(`docs-bucket/output/${id}.out`, Buffer.from(JSON.stringify([{ summary_text: 'Markets rallied.' }])));
  const result = await handleResultBatch(sqsEvent(successNotification(id!)), recorder);

  expect(result.batchItemFailures).toEqual([]);
  expect(table.items.get(id!)).toMatchObject({
    status: 'COMPLETED',
    summary: 'Markets rallied.',
    sourceKey: 'input/brief.txt',
    submittedAt: '2026-11-24T10:00:00.000Z',
    completedAt: '2026-11-24T10:12:00.608Z',
    processingMs: 600153,
    day: '2026-11-24',
    statusAt: 'COMPLETED#2026-11-24T10:12:00.608Z',
  });
});

test('a failure for a document already summarized (it was submitted twice) leaves the summary standing', async () => {
  const event = upload('input/twice.txt', 'Bonds fell.', '"e9"');
  await handleIngestBatch(sqsEvent(event), invoker);
  const id = invocations[0].InferenceId!;
  expect(table.items.get(id)).toMatchObject({ status: 'PENDING', endpointName: 'ep' });
  objects.set(`docs-bucket/output/${id}.out`, Buffer.from(JSON.stringify([{ summary_text: 'Bonds fell.' }])));
  await handleResultBatch(sqsEvent(successNotification(id)), recorder);
  const result = await handleResultBatch(sqsEvent(errorNotification(id)), recorder);
  expect(result.batchItemFailures).toEqual([]);
  expect(table.items.get(id)).toMatchObject({ status: 'COMPLETED', summary: 'Bonds fell.' });
});

test('a model failure ends as a FAILED record with the reason', async () => {
  await handleIngestBatch(sqsEvent(upload('input/paper.json', '{"inputs":"x"}', '"e2"')), invoker);
  const id = invocations[0].InferenceId!;
  await handleResultBatch(sqsEvent(errorNotification(id)), recorder);
  expect(table.items.get(id)).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('(400) from model'), sourceKey: 'input/paper.json' });
});

test('an unsupported upload ends as a FAILED record without reaching SageMaker', async () => {
  await handleIngestBatch(sqsEvent(upload('input/scan.pdf', '%PDF-1.7', '"e3"')), invoker);
  expect(invocations).toHaveLength(0);
  expect([...table.items.values()]).toEqual([expect.objectContaining({ status: 'FAILED', sourceKey: 'input/scan.pdf' })]);
});

test('a result that arrives before the invoker marked the record PENDING keeps the final status', async () => {
  const event = upload('input/fast.json', '{"inputs":"x"}', '"e4"');
  sagemaker.on(InvokeEndpointAsyncCommand).callsFake(async (i) => {
    invocations.push(i);
    await handleResultBatch(sqsEvent(errorNotification(i.InferenceId!)), recorder); // the race
    return { OutputLocation: 's3://docs-bucket/output/x.out' };
  });
  await handleIngestBatch(sqsEvent(event), invoker);
  expect(table.items.get(invocations[0].InferenceId!)).toMatchObject({ status: 'FAILED' });
});
