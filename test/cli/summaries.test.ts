import 'aws-sdk-client-mock-jest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../cli/clients';
import { run } from '../../cli/main';
import { EXPORT_DAYS_IN_FLIGHT, summariesBetween } from '../../cli/commands/summaries';

const cloudFormation = mockClient(CloudFormationClient);
const table = mockClient(DynamoDBDocumentClient);

let out = '';
let err = '';
const io = {
  stdout: (t: string) => (out += t),
  stderr: (t: string) => (err += t),
  clients: () => createClients('us-east-1'),
};

const completed = {
  inferenceId: 'id-1',
  status: 'COMPLETED',
  sourceKey: 'input/q3, "final".txt',
  day: '2026-11-23',
  statusAt: 'COMPLETED#2026-11-23T10:00:00.000Z',
  submittedAt: '2026-11-23T09:50:00.000Z',
  completedAt: '2026-11-23T10:00:00.000Z',
  processingMs: 600000,
  modelId: 'google/pegasus-large',
  summary: 'Revenue grew.\nMargins fell.',
  format: 'pdf',
  pages: 12,
  extractedCharacters: 48210,
  title: 'Q3 report',
  strategy: 'truncate',
  inputTokens: 5000,
  windows: 1,
  rounds: 1,
  inputTruncated: true,
  roundLimitReached: false,
  summaryTruncated: false,
  outputLocation: 's3://b/output/id-1.out',
};
const failed = {
  inferenceId: 'id-2',
  status: 'FAILED',
  sourceKey: 'input/scan.pdf',
  day: '2026-11-24',
  statusAt: 'FAILED#2026-11-24T08:00:00.000Z',
  submittedAt: '2026-11-24T08:00:00.000Z',
  completedAt: '2026-11-24T08:00:00.000Z',
  modelId: 'google/pegasus-large',
  failureReason: 'unsupported content',
};

beforeEach(() => {
  out = '';
  err = '';
  cloudFormation.reset();
  table.reset();
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'PegasusSummarizer-dev', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'SummariesTableName', OutputValue: 'summaries-table' }] }],
  });
  table
    .on(QueryCommand, { ExpressionAttributeValues: { ':day': '2026-11-23' } })
    .resolvesOnce({ Items: [completed], LastEvaluatedKey: { inferenceId: 'id-1' } })
    .resolves({ Items: [] });
  table.on(QueryCommand, { ExpressionAttributeValues: { ':day': '2026-11-24' } }).resolves({ Items: [failed] });
});

describe('summaries export', () => {
  test('CSV with a header, one query per day, pagination followed, values quoted safely', async () => {
    const code = await run(['summaries', 'export', '--from', '2026-11-23', '--to', '2026-11-24'], io);
    expect(code).toBe(0);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'PegasusSummarizer-dev' });
    expect(table).toHaveReceivedCommandTimes(QueryCommand, 3);
    expect(table).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'summaries-table',
      IndexName: 'byDay',
      ExpressionAttributeValues: { ':day': '2026-11-23' },
      ExclusiveStartKey: { inferenceId: 'id-1' },
    });
    expect(out).toBe(
      'inferenceId,status,sourceKey,day,submittedAt,completedAt,processingMs,modelId,modelRevision,format,pages,extractedCharacters,referencesExcludedCharacters,title,summary,coverage,strategy,inputTokens,windows,rounds,inputTruncated,roundLimitReached,reduceStalled,summaryTruncated,failureReason,outputLocation,failureLocation\n' +
        'id-1,COMPLETED,"input/q3, ""final"".txt",2026-11-23,2026-11-23T09:50:00.000Z,2026-11-23T10:00:00.000Z,600000,google/pegasus-large,,pdf,12,48210,,Q3 report,"Revenue grew.\nMargins fell.",' +
        '"TRUNCATED: only the first window of 5,000 tokens was read (strategy truncate)",truncate,5000,1,1,true,false,,false,,s3://b/output/id-1.out,\n' +
        'id-2,FAILED,input/scan.pdf,2026-11-24,2026-11-24T08:00:00.000Z,2026-11-24T08:00:00.000Z,,google/pegasus-large,,,,,,,,,,,,,,,,,unsupported content,,\n',
    );
    expect(err).toBe('2 records from 2026-11-23 to 2026-11-24\n');
  });

  test('JSON Lines to a file, one status only (begins_with on the sort key), another stage', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'export-')), 'failed.jsonl');
    const code = await run(['--stage', 'prod', 'summaries', 'export', '--from', '2026-11-24', '--to', '2026-11-24', '--status', 'FAILED', '--format', 'jsonl', '--out', file], io);
    expect(code).toBe(0);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'PegasusSummarizer-prod' });
    expect(table).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: '#day = :day AND begins_with(#sk, :status)',
      ExpressionAttributeNames: { '#day': 'day', '#sk': 'statusAt' },
      ExpressionAttributeValues: { ':day': '2026-11-24', ':status': 'FAILED#' },
    });
    expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([failed]);
    expect(out).toBe('');
    expect(err).toContain(`written to ${file}`);
  });

  test('--table skips the stack lookup', async () => {
    await run(['summaries', 'export', '--from', '2026-11-24', '--to', '2026-11-24', '--table', 'other'], io);
    expect(cloudFormation).not.toHaveReceivedCommand(DescribeStacksCommand);
    expect(table).toHaveReceivedCommandWith(QueryCommand, { TableName: 'other' });
  });

  test.each([
    [['--from', '2026-11-24', '--to', '2026-11-01'], 'error: --to (2026-11-01) is before --from (2026-11-24).'],
    [['--from', '24/11/2026', '--to', '2026-11-01'], 'expected a date as YYYY-MM-DD, got "24/11/2026"'],
    [['--from', '2026-11-24', '--to', '2026-11-24', '--format', 'xml'], "argument 'xml' is invalid. Allowed choices are csv, jsonl."],
  ])('bad arguments fail with a clear message: %j', async (args, message) => {
    expect(await run(['summaries', 'export', ...args], io)).not.toBe(0);
    expect(err).toContain(message);
    expect(table).not.toHaveReceivedAnyCommand();
  });

  test('a stack that does not exist', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id PegasusSummarizer-qa does not exist'), { name: 'ValidationError' }));
    expect(await run(['--stage', 'qa', 'summaries', 'export', '--from', '2026-11-24', '--to', '2026-11-24'], io)).toBe(1);
    expect(err).toBe('error: stack "PegasusSummarizer-qa" does not exist in this account and region; deploy it (npx cdk deploy -c stage=qa) or pass --stack/--stage.\n');
  });

  test('a stack deployed without the pipeline (no table output)', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    expect(await run(['summaries', 'export', '--from', '2026-11-24', '--to', '2026-11-24'], io)).toBe(1);
    expect(err).toBe('error: the stack has no SummariesTableName output (is it deployed with this feature on?); pass --table to name it directly.\n');
  });

  test('no credentials', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    expect(await run(['summaries', 'export', '--from', '2026-11-24', '--to', '2026-11-24'], io)).toBe(1);
    expect(err).toContain('no AWS credentials found');
  });
});

describe('summaries get', () => {
  test('queries the byDocument index newest first', async () => {
    table.on(QueryCommand, { IndexName: 'byDocument' }).resolves({ Items: [completed] });
    expect(await run(['summaries', 'get', 'input/q3, "final".txt'], io)).toBe(0);
    expect(table).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byDocument',
      KeyConditionExpression: '#pk = :key',
      ExpressionAttributeNames: { '#pk': 'sourceKey' },
      ExpressionAttributeValues: { ':key': 'input/q3, "final".txt' },
      ScanIndexForward: false,
    });
    expect(JSON.parse(out)).toEqual({ ...completed, coverage: 'TRUNCATED: only the first window of 5,000 tokens was read (strategy truncate)' });
  });

  test('an unknown document says so', async () => {
    table.on(QueryCommand, { IndexName: 'byDocument' }).resolves({ Items: [] });
    expect(await run(['summaries', 'get', 'input/nope.txt'], io)).toBe(1);
    expect(err).toContain('no record for "input/nope.txt"');
  });
});

test('--help documents the commands', async () => {
  expect(await run(['--help'], io)).toBe(0);
  expect(out).toContain('summaries');
  out = '';
  expect(await run(['summaries', '--help'], io)).toBe(0);
  expect(out).toMatch(/export[\s\S]*get/);
});

test('a long range queries a bounded number of days at once and still writes them in day order', async () => {
  table.reset();
  let inFlight = 0;
  let most = 0;
  table.on(QueryCommand).callsFake(async (input) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    const day = input.ExpressionAttributeValues[':day'];
    return { Items: [{ inferenceId: day, status: 'COMPLETED', day }] };
  });
  const seen: Array<[number, number]> = [];
  const days: string[] = [];
  for await (const r of summariesBetween(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 't', '2026-01-01', '2026-04-30', { onDays: (d, t) => seen.push([d, t]) })) days.push(r.day);
  expect(days).toHaveLength(120);
  expect([...days].sort()).toEqual(days); // day order
  expect(most).toBeGreaterThan(1);
  expect(most).toBeLessThanOrEqual(EXPORT_DAYS_IN_FLIGHT);
  expect(seen.at(-1)).toEqual([120, 120]);
  expect(seen).toHaveLength(Math.ceil(120 / EXPORT_DAYS_IN_FLIGHT));
});
