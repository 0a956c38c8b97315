import 'aws-sdk-client-mock-jest';
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Manifest, writeManifest } from '../../cli/manifest';
import { BASE_OUTPUTS, DescribeStacksCommand, FakeClock, runCli, stackOutputs, tempFiles } from '../helpers/cli';
import { s3Body } from '../helpers/lambda';

const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const table = mockClient(DynamoDBDocumentClient);
const notFound = Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

let dir: string;
const manifestFile = () => path.join(dir, 'manifest.json');

function directManifest(...names: string[]): Manifest {
  return {
    version: 1,
    stackName: 'PegasusSummarizer-dev',
    bucket: 'docs-bucket',
    endpointName: 'ep',
    mode: 'direct',
    entries: [
      ...names.map((name) => ({
        file: `/docs/${name}.txt`,
        status: 'submitted' as const,
        inferenceId: `id-${name}`,
        outputLocation: `s3://docs-bucket/output/${name}.out`,
        failureLocation: `s3://docs-bucket/failure/${name}-error.out`,
      })),
      { file: '/docs/scan.pdf', status: 'rejected' as const, reason: 'unsupported' },
    ],
  };
}

/** Makes an S3 object appear after `afterHeads` HeadObject calls on it. */
function objectAppears(key: string, body: string, afterHeads = 0) {
  let heads = 0;
  s3.on(HeadObjectCommand, { Key: key }).callsFake(() => {
    if (heads++ < afterHeads) throw notFound;
    return {};
  });
  s3.on(GetObjectCommand, { Key: key }).callsFake(() => ({ Body: s3Body(body) }));
}

beforeEach(() => {
  cloudFormation.reset();
  s3.reset();
  table.reset();
  s3.on(HeadObjectCommand).rejects(notFound);
  dir = tempFiles({});
});

test('waits for outputs with backoff, downloads the summaries, exits 0', async () => {
  writeManifest(manifestFile(), directManifest('brief', 'paper'));
  objectAppears('output/brief.out', JSON.stringify([{ summary_text: 'Markets rallied.' }]), 2);
  objectAppears('output/paper.out', JSON.stringify([{ summary_text: 'A paper.', strategy: 'map-reduce', input_tokens: 41210, windows: 43, rounds: 3, truncated: false }]), 0);
  const clock = new FakeClock();
  const start = clock.nowMs;
  const out = path.join(dir, 'summaries');
  const { code, out: stdout } = await runCli(['wait', manifestFile(), '--out', out], clock);
  expect(code).toBe(0);
  expect(fs.readFileSync(path.join(out, 'brief.summary.txt'), 'utf8')).toBe('Markets rallied.\n');
  expect(JSON.parse(fs.readFileSync(path.join(out, 'paper.out.json'), 'utf8'))).toMatchObject([{ summary_text: 'A paper.' }]);
  expect(stdout).toContain('2 completed');
  expect(stdout).toContain('[whole document: 41,210 tokens, 43 windows, 3 rounds]');
  expect(clock.nowMs - start).toBe(5000 + 7500); // two backoff rounds: 5 s, then 7.5 s
  expect(s3).toHaveReceivedCommandWith(HeadObjectCommand, { Bucket: 'docs-bucket', Key: 'failure/brief-error.out' });
});

test('a failure object that appears first ends the wait for that request, with its reason, exit 1', async () => {
  writeManifest(manifestFile(), directManifest('brief'));
  objectAppears('failure/brief-error.out', 'ClientError: IndexError: index out of range in self', 1);
  const { code, out } = await runCli(['wait', manifestFile(), '--no-download'], new FakeClock());
  expect(code).toBe(1);
  expect(out).toContain('IndexError: index out of range in self');
  expect(out).toContain('1 failed');
  // Round 1: neither exists. Round 2: the failure report is found first, so the output is not polled again.
  expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['failure/brief-error.out', 'output/brief.out', 'failure/brief-error.out']);
});

test('the deadline ends the wait (it never hangs): unfinished requests are reported, exit 2', async () => {
  writeManifest(manifestFile(), directManifest('slow'));
  const clock = new FakeClock();
  const start = clock.nowMs;
  const { code, out } = await runCli(['wait', manifestFile(), '--timeout', '600'], clock);
  expect(code).toBe(2);
  expect(clock.nowMs - start).toBe(600_000);
  expect(out).toContain('timed-out');
  expect(out).toContain('still in progress at the deadline');
});

test('a persistent read error is reported when the deadline comes', async () => {
  writeManifest(manifestFile(), directManifest('locked'));
  s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
  const { code, out } = await runCli(['wait', manifestFile(), '--timeout', '60'], new FakeClock());
  expect(code).toBe(2);
  expect(out).toContain('last error: AccessDenied: Access Denied');
});

test('pipeline submissions are followed through the summaries table', async () => {
  const manifest: Manifest = { ...directManifest(), mode: 'pipeline', tableName: 'summaries', entries: [{ file: '/docs/brief.txt', status: 'submitted', inferenceId: 'pid-1' }] };
  writeManifest(manifestFile(), manifest);
  table
    .on(GetCommand, { TableName: 'summaries', Key: { inferenceId: 'pid-1' } })
    .resolvesOnce({ Item: { inferenceId: 'pid-1', status: 'PENDING' } })
    .resolves({ Item: { inferenceId: 'pid-1', status: 'COMPLETED', summary: 'Markets rallied.', outputLocation: 's3://docs-bucket/output/p.out', strategy: 'truncate', inputTokens: 9000, windows: 1, rounds: 1, inputTruncated: true } });
  objectAppears('output/p.out', JSON.stringify([{ summary_text: 'Markets rallied.' }]));
  const { code, out } = await runCli(['wait', manifestFile(), '--out', path.join(dir, 's')], new FakeClock());
  expect(code).toBe(0);
  expect(out).toContain('Markets rallied.');
  expect(out).toMatch(/TRUNCATED: only the first window of\s+9,000 tokens was read/);
  expect(table).toHaveReceivedCommandTimes(GetCommand, 2);
});

test('inference ids are looked up in the stack\'s summaries table', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
  table.on(GetCommand).resolves({ Item: { inferenceId: 'abc', status: 'FAILED', failureReason: 'unsupported content' } });
  const { code, out } = await runCli(['wait', 'abc'], new FakeClock());
  expect(code).toBe(1);
  expect(out).toContain('unsupported content');
});

test('inference ids without a summaries table get a clear error', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
  const { code, err } = await runCli(['wait', 'abc'], new FakeClock());
  expect(code).toBe(1);
  expect(err).toContain('waiting by inference id needs the pipeline table; otherwise pass the manifest');
});

test('a file that is not a manifest', async () => {
  fs.writeFileSync(manifestFile(), '{"hello": 1}');
  const { code, err } = await runCli(['wait', manifestFile()], new FakeClock());
  expect(code).toBe(1);
  expect(err).toContain('is not a summarizer manifest');
});
