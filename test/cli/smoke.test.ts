import 'aws-sdk-client-mock-jest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { s3Body } from '../helpers/lambda';
import { BASE_OUTPUTS, DescribeStacksCommand, FakeClock, runCli, stackOutputs } from '../helpers/cli';

const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerClient);
const runtime = mockClient(SageMakerRuntimeClient);
const table = mockClient(DynamoDBDocumentClient);
const endpoint = (count: number) => ({ EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', EndpointStatus: 'InService' as const, CreationTime: new Date(), LastModifiedTime: new Date(), ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: count }] });
const notFound = Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

beforeEach(() => {
  for (const m of [cloudFormation, s3, sagemaker, runtime, table]) m.reset();
  s3.on(HeadObjectCommand).rejects(notFound);
  s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });
});

test('with the pipeline: the upload is the submission; the record turning COMPLETED passes; cold start and latency reported', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
  // Pre-flight check, the look at submission time (0 instances), then 0, 1, 1...
  sagemaker.on(DescribeEndpointCommand).resolvesOnce(endpoint(0)).resolvesOnce(endpoint(0)).resolvesOnce(endpoint(0)).resolves(endpoint(1));
  table
    .on(GetCommand)
    .resolvesOnce({ Item: { inferenceId: 'x', status: 'PENDING' } })
    .resolvesOnce({ Item: { inferenceId: 'x', status: 'PENDING' } })
    .resolves({ Item: { inferenceId: 'x', status: 'COMPLETED', summary: 'Markets rallied as inflation cooled.', inputTokens: 270, windows: 1, rounds: 1, strategy: 'map-reduce' } });
  const clock = new FakeClock();
  const { code, out } = await runCli(['smoke', '--poll', '30'], clock);
  expect(code).toBe(0);
  expect(runtime).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
  const key = s3.commandCalls(PutObjectCommand)[0].args[0].input.Key!;
  expect(key).toMatch(/^input\/cli\/[0-9a-f]{64}\.txt$/);
  expect(out).toContain('via the pipeline (upload under input/, record in the table)');
  expect(out).toContain('first instance    after 30 s (cold start)');
  expect(out).toContain('result            completed after 60 s');
  expect(out).toContain('summary           Markets rallied as inflation cooled.');
  expect(out).toContain('[whole document: 270 tokens, 1 window, 1 round]');
  expect(out).toMatch(/PASS\n$/);
});

test('each run sends a new document (uploads are content-addressed), so a second run is not "already submitted"', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
  sagemaker.on(DescribeEndpointCommand).resolves(endpoint(1));
  table.on(GetCommand).resolves({ Item: { inferenceId: 'x', status: 'COMPLETED', summary: 'S.' } });
  await runCli(['smoke'], new FakeClock(Date.parse('2026-11-24T10:00:00Z')));
  await runCli(['smoke'], new FakeClock(Date.parse('2026-11-24T11:00:00Z')));
  const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
  expect(new Set(keys).size).toBe(2);
});

test('without the pipeline: a direct submission, and its output object is the proof', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
  sagemaker.on(DescribeEndpointCommand).resolves(endpoint(1));
  runtime.on(InvokeEndpointAsyncCommand).callsFake((i) => ({ OutputLocation: `s3://docs-bucket/output/${i.InferenceId}.out`, FailureLocation: `s3://docs-bucket/failure/${i.InferenceId}-error.out` }));
  s3.on(HeadObjectCommand).callsFake((i) => {
    if (String(i.Key).startsWith('output/')) return {};
    throw notFound; // the upload is new; no failure report
  });
  s3.on(GetObjectCommand).resolves({ Body: s3Body(JSON.stringify([{ summary_text: 'Markets rallied.' }])) as never });
  const { code, out } = await runCli(['smoke'], new FakeClock());
  expect(code).toBe(0);
  expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1);
  expect(out).toContain('first instance    already running');
  expect(out).toContain('summary           Markets rallied.');
});

test('a failed request, an empty summary and the deadline each fail with what happened', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
  sagemaker.on(DescribeEndpointCommand).resolves(endpoint(1));
  table.on(GetCommand).resolves({ Item: { inferenceId: 'x', status: 'FAILED', failureReason: 'invalid request: the document is empty' } });
  const failed = await runCli(['smoke'], new FakeClock());
  expect(failed.code).toBe(1);
  expect(failed.out).toContain('FAIL: the request failed: invalid request: the document is empty');

  table.on(GetCommand).resolves({ Item: { inferenceId: 'x', status: 'COMPLETED', summary: '  ' } });
  const empty = await runCli(['smoke'], new FakeClock());
  expect(empty.code).toBe(1);
  expect(empty.out).toContain('FAIL: the result has no summary text');

  table.on(GetCommand).resolves({ Item: { inferenceId: 'x', status: 'PENDING' } });
  const late = await runCli(['smoke', '--timeout', '600'], new FakeClock());
  expect(late.code).toBe(2);
  expect(late.out).toContain('FAIL: no result within 600 s');
});
