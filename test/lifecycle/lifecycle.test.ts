/**
 * Weeks in an account, in minutes: the app deployed into an AWS emulator (moto in server mode on
 * 127.0.0.1) with the real CDK CLI, used through the pipeline's bundled handlers and this app's
 * CLI, destroyed, deployed again, moved to another instance type with work queued, moved back,
 * destroyed and cleaned up. Run with `npm run test:lifecycle` (its own jest config: one file, in
 * order, bounded; moto stops itself even if this process dies).
 *
 * What moto cannot do, the harness does, each in one place and named:
 * - Lambda code needs Docker in moto: each bundled handler (cdk.out/asset.<hash>/index.js) runs in
 *   a child process with the function's environment as moto holds it and an event shaped as AWS
 *   documents it (run-bundle.cjs): custom resource requests, SQS batches of EventBridge
 *   "Object Created" events, SQS batches of SageMaker notifications, EventBridge scheduled events.
 * - SageMaker's front end: moto writes an async result as soon as a request is submitted; a
 *   request still queued has none, so the harness removes it, and later writes the result and
 *   delivers the notification as SageMaker and SNS would.
 * - moto's own gaps, patched in moto_server.py (its docstring lists them).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, StackResource } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, HeadBucketCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, ListEndpointsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseS3Url, type SummaryRecord } from '../../common/summary-record';
import { DEFAULT_MODEL_ID, DEFAULT_MODEL_REVISION } from '../../lib/config/schema';
import { FakeHub } from '../helpers/fake-hub';
import { ACCOUNT, Emulator, REGION, ROOT } from './emulator';

const STAGE = 'lc';
const STACK = `PegasusSummarizer-${STAGE}`;
const endpointName = (instance: string) => `${STACK}-${instance.replace(/\./g, '-')}`;
const logGroupOf = (instance: string) => `/aws/sagemaker/Endpoints/${endpointName(instance)}`;

const emulator = new Emulator();
const out = path.join(emulator.dir, 'cdk.out');
let handledEvents = 0;
let aws: ReturnType<typeof clients>;

function clients() {
  const config = { endpoint: emulator.endpoint, region: REGION, credentials: { accessKeyId: 'lifecycle', secretAccessKey: 'lifecycle' }, forcePathStyle: true };
  return {
    cloudFormation: new CloudFormationClient(config),
    s3: new S3Client(config),
    logs: new CloudWatchLogsClient(config),
    lambda: new LambdaClient(config),
    sagemaker: new SageMakerClient(config),
    dynamodb: new DynamoDBClient(config),
    table: DynamoDBDocumentClient.from(new DynamoDBClient(config)),
  };
}

function cdkArgs(command: string[], context: Record<string, string>): string[] {
  return ['cdk', ...command, '--output', out, '-c', `stage=${STAGE}`, ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

/**
 * `cdk deploy`, answering the custom resource requests CloudFormation makes while it runs (as the
 * functions would in AWS): returns every request answered. Bounded at 5 minutes.
 */
async function deploy(context: Record<string, string> = {}) {
  // An update with --method=direct: moto cannot find a change set by name once the stack exists
  // (moto_server.py, 9). A stack created anew goes through a change set, as by default.
  const method = (await stackGone()) ? 'change-set' : 'direct';
  return cdkAnswering(['deploy', `--method=${method}`, '--require-approval', 'never', '--ci', '--progress', 'events'], context);
}

/** `cdk destroy`, answering the Delete requests of the custom resources as it runs. */
function destroy() {
  return cdkAnswering(['destroy', '--force']);
}

async function cdkAnswering(command: string[], context: Record<string, string> = {}) {
  rememberCustomResources();
  const child = spawn('npx', cdkArgs(command, context), {
    cwd: ROOT,
    env: { ...process.env, ...emulator.env() },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const answered = [];
  const deadline = Date.now() + 300_000;
  let status: number | null | undefined;
  while (status === undefined) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`cdk ${command[0]} did not finish within 5 minutes:\n${output.slice(-3000)}`);
    }
    answered.push(...(await answerCustomResources()));
    status = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))]);
  }
  answered.push(...(await answerCustomResources()));
  if (status !== 0) throw new Error(`cdk ${command[0]} failed:\n${output.split('\n').slice(-30).join('\n')}\nmoto:\n${emulator.log()}`);
  return answered;
}

function template(): { Resources: Record<string, { Type: string; Properties: Record<string, any> }> } {
  return JSON.parse(fs.readFileSync(path.join(out, `${STACK}.template.json`), 'utf8'));
}

/**
 * The bundled handler of the function with this logical id in the synthesized template. Bundles
 * are kept from the deploy that built them: `cdk destroy` synthesizes without bundling.
 */
function bundleOf(functionLogicalId: string): string {
  const asset = path.join(out, `asset.${(template().Resources[functionLogicalId].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  const kept = path.join(emulator.dir, 'bundles', functionLogicalId);
  if (fs.existsSync(asset)) fs.cpSync(asset, kept, { recursive: true });
  return path.join(kept, 'index.js');
}

/** Runs a bundled handler in a child process with `env`, as Lambda would (run-bundle.cjs). */
function runBundle(bundle: string, env: Record<string, string>, event: unknown): any {
  const job = path.join(emulator.dir, `job-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(job, JSON.stringify({ bundle, env, event }));
  const result = spawnSync('node', [path.join(__dirname, 'run-bundle.cjs'), job], { env: { ...process.env, ...emulator.env() }, encoding: 'utf8', timeout: 120_000 });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: { result?: unknown; error?: string };
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`the handler ${bundle} printed no result:\n${result.stdout}\n${result.stderr}`);
  }
  if (parsed.error) throw new Error(`the handler ${bundle} failed: ${parsed.error}\n${result.stdout}`);
  return parsed.result;
}

/** A node process run without blocking this one (which may be serving it), killed after `timeoutMs`. */
function runNode(args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', args, { cwd: ROOT, env: { ...process.env, ...emulator.env(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function stackResources(): Promise<StackResource[]> {
  return (await aws.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [];
}

async function physicalId(type: string, logicalPrefix: string): Promise<string> {
  const found = (await stackResources()).filter((r) => r.ResourceType === type && r.LogicalResourceId?.startsWith(logicalPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${logicalPrefix}*, found ${found.length}`);
  return found[0].PhysicalResourceId!;
}

/** A pipeline function: its bundle, and its environment as the deployed function has it. */
async function pipelineFunction(logicalPrefix: 'PipelineInvoker' | 'PipelineRecorder') {
  const resources = await stackResources();
  const fn = resources.find((r) => r.ResourceType === 'AWS::Lambda::Function' && new RegExp(`^${logicalPrefix}[0-9A-F]{8}$`).test(r.LogicalResourceId!))!;
  const configuration = await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.PhysicalResourceId }));
  return { bundle: bundleOf(fn.LogicalResourceId!), env: { ...(configuration.Environment?.Variables ?? {}), AWS_LAMBDA_FUNCTION_NAME: configuration.FunctionName! } };
}

/**
 * Every custom resource seen in a synthesized template: its function's bundle and environment, so
 * a Delete can still be answered after an update removed the resource (and its function) from the
 * template, as CloudFormation asks for it at clean-up.
 */
const customResources = new Map<string, { bundle: string; env: Record<string, string> }>();
function rememberCustomResources(): void {
  if (!fs.existsSync(path.join(out, `${STACK}.template.json`))) return;
  const resources = template().Resources;
  for (const [id, resource] of Object.entries(resources)) {
    const token = resource.Properties?.ServiceToken?.['Fn::GetAtt']?.[0];
    if (typeof token === 'string' && resources[token]) customResources.set(id, { bundle: bundleOf(token), env: resources[token].Properties.Environment?.Variables ?? {} });
  }
}

/**
 * CloudFormation's custom resource requests moto recorded (moto_server.py): each answered by its
 * bundled handler, which PUTs the response to the request's ResponseURL, as in AWS.
 */
async function answerCustomResources(): Promise<
  Array<{ RequestType: string; ResourceType: string; LogicalResourceId: string; ResourceProperties: Record<string, string>; response: { Data?: Record<string, string> } }>
> {
  const lines = fs.existsSync(emulator.eventsFile) ? fs.readFileSync(emulator.eventsFile, 'utf8').trim().split('\n').filter(Boolean) : [];
  const events = lines.slice(handledEvents).map((l) => JSON.parse(l));
  handledEvents = lines.length;
  rememberCustomResources();
  for (const event of events) {
    const known = customResources.get(event.LogicalResourceId)!;
    // moto deletes the function right after recording a Delete (CloudFormation would wait for the
    // answer first); its environment is then what the template gave it.
    const configuration = await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: event.ServiceToken })).catch(() => undefined);
    runBundle(known.bundle, configuration?.Environment?.Variables ?? known.env, event);
  }
  // Every request answered SUCCESS (a FAILED answer would fail the stack in AWS).
  const answers = fs.existsSync(`${emulator.eventsFile}.responses`) ? fs.readFileSync(`${emulator.eventsFile}.responses`, 'utf8').trim().split('\n').filter(Boolean) : [];
  const latest = answers.slice(answers.length - events.length).map((l) => JSON.parse(l));
  expect(latest.map((a) => [a.LogicalResourceId, a.Status, a.Reason ?? ''])).toEqual(events.map((e) => [e.LogicalResourceId, 'SUCCESS', '']));
  return events.map((e, i) => ({ ...e, response: latest[i] }));
}

/** The requests about endpoint log groups (Custom::EndpointLogGroup), leaving out the other custom resources. */
const logGroupRequests = <T extends { ResourceProperties: Record<string, string> }>(events: T[]) => events.filter((e) => e.ResourceProperties.LogGroupName !== undefined);

async function records(): Promise<SummaryRecord[]> {
  const tableName = await physicalId('AWS::DynamoDB::Table', 'PipelineSummaries');
  return ((await aws.table.send(new ScanCommand({ TableName: tableName }))).Items ?? []) as SummaryRecord[];
}

const recordOf = async (key: string) => (await records()).find((r) => r.sourceKey === key);

/** An upload, as EventBridge delivers S3's "Object Created" event to the ingest queue (S3 User Guide, EventBridge event message structure). */
async function upload(key: string, text: string) {
  const bucket = await physicalId('AWS::S3::Bucket', 'DocumentsBucket');
  const put = await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
  const body = JSON.stringify({
    version: '0',
    id: `event-${key}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: Buffer.byteLength(text), etag: put.ETag!.replace(/"/g, ''), 'version-id': put.VersionId, sequencer: '0' },
      'request-id': 'r',
      requester: ACCOUNT,
      reason: 'PutObject',
    },
  });
  const invoker = await pipelineFunction('PipelineInvoker');
  const result = runBundle(invoker.bundle, invoker.env, sqsEvent(body));
  expect(result).toEqual({ batchItemFailures: [] });
  return bucket;
}

function sqsEvent(...bodies: string[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:queue`,
      awsRegion: REGION,
    })),
  };
}

/** A request still queued in SageMaker has no result yet; moto writes one at once, so it is removed. */
async function stillQueued(record: SummaryRecord) {
  for (const url of [record.outputLocation, record.failureLocation]) {
    const location = url ? parseS3Url(url) : undefined;
    if (location) await aws.s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
  }
}

/** SageMaker finishes the request: the result at its OutputLocation, and the success notification to the recorder (raw message delivery). */
async function sageMakerCompletes(record: SummaryRecord, summary: string) {
  const location = parseS3Url(record.outputLocation!)!;
  await aws.s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: JSON.stringify([{ summary_text: summary, strategy: 'map-reduce', input_tokens: 9, windows: 1, rounds: 1 }]) }));
  const notification = {
    awsRegion: REGION,
    eventTime: new Date().toISOString(),
    receivedTime: new Date().toISOString(),
    invocationStatus: 'Completed',
    requestParameters: { contentType: record.contentType, endpointName: record.endpointName, inputLocation: record.inputLocation },
    responseParameters: { contentType: 'application/json', outputLocation: record.outputLocation },
    inferenceId: record.inferenceId,
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
  };
  const recorder = await pipelineFunction('PipelineRecorder');
  expect(runBundle(recorder.bundle, recorder.env, sqsEvent(JSON.stringify(notification)))).toEqual({ batchItemFailures: [] });
}

/** The scheduled sweep, as EventBridge invokes it; `env` stands in for the half hour a request has waited. */
async function sweep(env: Record<string, string>) {
  const invoker = await pipelineFunction('PipelineInvoker');
  const event = { version: '0', id: 'sweep', 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT, time: new Date().toISOString(), region: REGION, resources: [], detail: {} };
  return runBundle(invoker.bundle, { ...invoker.env, ...env }, event);
}

async function logGroup(name: string) {
  return (await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups?.find((g) => g.logGroupName === name);
}

async function endpointExists(name: string): Promise<boolean> {
  try {
    await aws.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    return true;
  } catch {
    return false;
  }
}

async function endpointNames(): Promise<string[]> {
  return ((await aws.sagemaker.send(new ListEndpointsCommand({}))).Endpoints ?? []).map((e) => e.EndpointName!);
}

async function stackGone(): Promise<boolean> {
  try {
    const stacks = (await aws.cloudFormation.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks ?? [];
    return stacks.every((s) => s.StackStatus === 'DELETE_COMPLETE');
  } catch {
    return true;
  }
}

beforeAll(async () => {
  await emulator.start();
  aws = clients();
  const bootstrap = spawnSync('npx', ['cdk', 'bootstrap', '--output', out, `aws://${ACCOUNT}/${REGION}`], { cwd: ROOT, env: { ...process.env, ...emulator.env() }, encoding: 'utf8', timeout: 300_000 });
  if (bootstrap.status !== 0) throw new Error(`cdk bootstrap failed:\n${bootstrap.stdout}\n${bootstrap.stderr}`);
}, 600_000);

afterAll(() => emulator.stop());

let firstDataKey: string | undefined;

test('deploy: the endpoint log group is created with the operations key and the retention', async () => {
  const events = await deploy();
  expect(logGroupRequests(events).map((e) => [e.ResourceProperties.LogGroupName, e.response.Data?.Outcome])).toEqual([[logGroupOf('ml.g5.xlarge'), 'created']]);
  // The handler archive of the Hub model is copied into the app's bucket.
  expect(events.filter((e) => e.ResourceProperties.Kind === 'handler-archive').map((e) => e.RequestType)).toEqual(['Create']);
  const group = await logGroup(logGroupOf('ml.g5.xlarge'));
  firstDataKey = await physicalId('AWS::KMS::Key', 'OperationsKey');
  expect(group).toMatchObject({ retentionInDays: 365, kmsKeyId: expect.stringContaining(firstDataKey) });
  expect(await endpointExists(endpointName('ml.g5.xlarge'))).toBe(true);
});

test('a document submitted through the pipeline ends COMPLETED with its summary', async () => {
  await upload('input/brief.txt', 'Markets rallied on Tuesday as inflation cooled. Bonds fell.');
  const pending = (await recordOf('input/brief.txt'))!;
  expect(pending).toMatchObject({ status: 'PENDING', endpointName: endpointName('ml.g5.xlarge'), contentType: 'text/plain' });
  await sageMakerCompletes(pending, 'Markets rallied as inflation cooled.');
  expect(await recordOf('input/brief.txt')).toMatchObject({ status: 'COMPLETED', summary: 'Markets rallied as inflation cooled.' });
});

test('cdk destroy keeps the documents, the summaries and the endpoint logs', async () => {
  const bucket = await physicalId('AWS::S3::Bucket', 'DocumentsBucket');
  const requests = await destroy();
  expect(logGroupRequests(requests).map((e) => [e.RequestType, e.ResourceProperties.LogGroupName])).toEqual([['Delete', logGroupOf('ml.g5.xlarge')]]);
  expect(await stackGone()).toBe(true);
  await expect(aws.s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
  expect((await aws.dynamodb.send(new ListTablesCommand({}))).TableNames?.some((t) => t.startsWith(`${STACK}-`))).toBe(true);
  expect(await logGroup(logGroupOf('ml.g5.xlarge'))).toBeDefined();
});

test('deploy again after destroy: the kept log group is adopted, with the new operations key', async () => {
  const events = await deploy();
  expect(logGroupRequests(events).map((e) => [e.ResourceProperties.LogGroupName, e.response.Data?.Outcome])).toEqual([[logGroupOf('ml.g5.xlarge'), 'adopted']]);
  const dataKey = await physicalId('AWS::KMS::Key', 'OperationsKey');
  expect(dataKey).not.toBe(firstDataKey);
  expect(await logGroup(logGroupOf('ml.g5.xlarge'))).toMatchObject({ retentionInDays: 365, kmsKeyId: expect.stringContaining(dataKey) });
});

test('a new instance type with work queued on the old endpoint: nothing is lost', async () => {
  await upload('input/queued.txt', 'Freight volumes fell for a third month. Rates held.');
  const queued = (await recordOf('input/queued.txt'))!;
  expect(queued).toMatchObject({ status: 'PENDING', endpointName: endpointName('ml.g5.xlarge') });
  await stillQueued(queued);

  const events = await deploy({ instanceType: 'ml.g4dn.xlarge' });
  expect(logGroupRequests(events).map((e) => [e.RequestType, e.ResourceProperties.LogGroupName, e.response.Data?.Outcome])).toEqual([['Update', logGroupOf('ml.g4dn.xlarge'), 'created']]);
  expect(await endpointExists(endpointName('ml.g4dn.xlarge'))).toBe(true);
  expect(await endpointExists(endpointName('ml.g5.xlarge'))).toBe(false); // deleted at clean-up, with its queue

  // The next sweep (as if the record had waited its half hour) sends it to the new endpoint.
  const report = await sweep({ SWEEP_PENDING_CHECK_AFTER_SECONDS: '0' });
  expect(report).toMatchObject({ pending: { resubmitted: 1 } });
  const resubmitted = (await recordOf('input/queued.txt'))!;
  expect(resubmitted).toMatchObject({ status: 'PENDING', endpointName: endpointName('ml.g4dn.xlarge'), submissions: 2 });
  expect(resubmitted.resubmitReason).toContain(`its endpoint ${endpointName('ml.g5.xlarge')} was replaced`);
  await sageMakerCompletes(resubmitted, 'Freight volumes fell again.');
  expect(await recordOf('input/queued.txt')).toMatchObject({ status: 'COMPLETED', summary: 'Freight volumes fell again.' });
  expect((await records()).filter((r) => r.status !== 'COMPLETED')).toEqual([]);
});

test('switching the instance type back adopts the log group kept from before', async () => {
  const events = await deploy({ instanceType: 'ml.g5.xlarge' });
  expect(logGroupRequests(events).map((e) => [e.RequestType, e.ResourceProperties.LogGroupName, e.response.Data?.Outcome])).toEqual([['Update', logGroupOf('ml.g5.xlarge'), 'adopted']]);
  expect(await endpointNames()).toEqual([endpointName('ml.g5.xlarge')]);
  expect(await logGroup(logGroupOf('ml.g5.xlarge'))).toMatchObject({ retentionInDays: 365 });
  expect(await logGroup(logGroupOf('ml.g4dn.xlarge'))).toBeDefined();
});

test('a Hub model switched to its staged copy: only the model, its endpoint config and the copy change', async () => {
  // The default model at its pinned commit, served by a loopback Hub (tiny stand-in files).
  const files = { 'config.json': Buffer.from('{"model_type":"pegasus"}'), 'model.safetensors': Buffer.alloc(300_000, 7), 'spiece.model': Buffer.alloc(2_000, 1), 'README.md': Buffer.from('# card') };
  const hub = new FakeHub([{ id: DEFAULT_MODEL_ID, commit: DEFAULT_MODEL_REVISION, refs: ['main'], files, lfs: ['model.safetensors'] }]);
  const endpoint = await hub.start(240_000);
  const before = new Map((await stackResources()).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  const bucket = before.get([...before.keys()].find((k) => /^DocumentsBucket[0-9A-F]{8}$/.test(k))!)!;
  try {
    // Not spawnSync: the loopback Hub answers from this process.
    const staging = await runNode([path.join(ROOT, 'cli', 'summarizer.cjs'), '--stage', STAGE, 'stage-model', `${DEFAULT_MODEL_ID}@main`, '--cache', path.join(emulator.dir, 'hub-cache')], { HF_ENDPOINT: endpoint }, 120_000);
    expect(staging.stderr).not.toMatch(/error/i);
    expect(staging.status).toBe(0);
    expect(staging.stdout).toContain(`npx cdk deploy -c modelSource=staged -c modelId=${DEFAULT_MODEL_ID} -c modelRevision=${DEFAULT_MODEL_REVISION}`);
  } finally {
    await hub.stop();
  }

  const events = await deploy({ modelSource: 'staged' });
  // The staged copy is made; the Hub model's handler archive is deleted at clean-up.
  expect(events.map((e) => [e.RequestType, e.ResourceType]).sort()).toEqual([['Create', 'Custom::StagedModelWithHandler'], ['Delete', 'Custom::HandlerArchiveInAppBucket']]);
  const after = new Map((await stackResources()).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  const replaced = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k)).sort();
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k));
  // CloudFormation replaces the model and its endpoint config (test/stacks/model-source-update.test.ts);
  // moto replaces the model and updates the config in place. Nothing else is replaced.
  expect(replaced.map((k) => k.replace(/[0-9A-F]{8}$/, ''))).toContain('Model');
  expect(replaced.map((k) => k.replace(/[0-9A-F]{8}$/, '')).filter((k) => k !== 'Model' && k !== 'EndpointConfig')).toEqual([]);
  expect(added.map((k) => k.replace(/[0-9A-F]{8}$/, ''))).toEqual(['ModelStagedWithHandler', 'ModelStagedWithHandlerCopy', 'ModelStagedWithHandlerCopyLogs', 'ModelStagedWithHandlerCopyRole', 'ModelStagedWithHandlerCopyRoleDefaultPolicy']);
  expect(removed.map((k) => k.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ModelHandlerArchive', 'ModelHandlerArchiveCopy', 'ModelHandlerArchiveCopyLogs', 'ModelHandlerArchiveCopyRole', 'ModelHandlerArchiveCopyRoleDefaultPolicy']);
  // The endpoint keeps its name (updated in place, its queue with it), and so do the data stores.
  expect(await endpointNames()).toEqual([endpointName('ml.g5.xlarge')]);

  // The servable copy: the staged files SageMaker will read, and the handler.
  const prefix = (events.find((e) => e.RequestType === 'Create')!.response.Data!.ModelDataPrefixUrl as string).replace(`s3://${bucket}/`, '');
  const listed = (await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents!.map((o) => o.Key!.slice(prefix.length)).sort();
  expect(listed).toEqual(['code/inference.py', 'config.json', 'model.safetensors', 'spiece.model']);

  // And back to the Hub: the copy is deleted (its Delete request answered), the staged files stay.
  const back = await deploy({});
  expect(back.map((e) => [e.RequestType, e.ResourceType]).sort()).toEqual([['Create', 'Custom::HandlerArchiveInAppBucket'], ['Delete', 'Custom::StagedModelWithHandler']]);
  expect((await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).toEqual([]);
  const staged = `models/${DEFAULT_MODEL_ID}/${DEFAULT_MODEL_REVISION}/`;
  expect((await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: staged }))).Contents?.length).toBe(3);
});

test('destroy, then summarizer cleanup --yes: nothing of the stage is left', async () => {
  await destroy();
  expect(await stackGone()).toBe(true);
  const cleanup = spawnSync('node', [path.join(ROOT, 'cli', 'summarizer.cjs'), '--stage', STAGE, 'cleanup', '--yes'], {
    cwd: ROOT,
    env: { ...process.env, ...emulator.env() },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(cleanup.stderr).toBe('');
  expect(cleanup.status).toBe(0);
  expect(cleanup.stdout).toMatch(/^removed \d+ resources/m);
  const buckets = (await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  expect(buckets.map((b) => b.Name).filter((n) => n?.startsWith(`${STACK.toLowerCase()}-`))).toEqual([]);
  expect((await aws.dynamodb.send(new ListTablesCommand({}))).TableNames?.filter((t) => t.startsWith(`${STACK}-`))).toEqual([]);
  const groups = (await aws.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
  expect(groups.map((g) => g.logGroupName).filter((n) => n?.includes(STACK) || n?.startsWith(`/pegasus-summarizer/${STAGE}/`))).toEqual([]);
});
