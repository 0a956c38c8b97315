import 'aws-sdk-client-mock-jest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import S3rver from 's3rver';
import { handleEvent, makeServable, StagedModelProperties } from '../../lambda/staged-model/handler';
import { MANIFEST_FORMAT, manifestKeyOf, servablePrefix, stagedPrefix } from '../../common/staged-model';
import { MODEL_CODE_DIR, writeModelCodeArchive } from '../../lib/constructs/model-handler-code';
import { s3Body } from '../helpers/lambda';

/**
 * The function that makes a staged model servable, against a real S3-compatible server on
 * loopback (s3rver) for the copies, listings and deletes, and a mocked client for the
 * multipart copy s3rver does not implement (UploadPartCopy).
 */
const COMMIT = 'c'.repeat(40);
const SOURCE = stagedPrefix('google/tiny-pegasus', COMMIT);
const DESTINATION = servablePrefix(SOURCE, 'f'.repeat(64));
const FILES: Record<string, string> = { 'config.json': '{"model_type":"pegasus"}', 'model.safetensors': 'W'.repeat(3000), 'nested/tokenizer.json': '{}' };
const handlerSource = fs.readFileSync(path.join(MODEL_CODE_DIR, 'inference.py'), 'utf8');

let server: S3rver;
let s3: S3Client;
let work: string;
const props: StagedModelProperties = {
  SourceBucket: 'docs-bucket',
  SourcePrefix: SOURCE,
  DestinationBucket: 'docs-bucket',
  DestinationPrefix: DESTINATION,
  HandlerUrl: 's3://cdk-assets/handler.gz',
  ModelId: 'google/tiny-pegasus',
  ModelRevision: COMMIT,
  KmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  StageCommand: `npx summarizer stage-model google/tiny-pegasus@${COMMIT}`,
};
const event = (type: 'Create' | 'Update' | 'Delete', overrides: Partial<StagedModelProperties> = {}, physical?: string) =>
  ({ RequestType: type, ResponseURL: 'https://cfn', StackId: 'stack', RequestId: 'r1', LogicalResourceId: 'Staged', ResourceType: 'Custom::StagedModelWithHandler', ServiceToken: 'arn', ResourceProperties: { ServiceToken: 'arn', ...props, ...overrides }, ...(physical ? { PhysicalResourceId: physical } : {}) }) as unknown as CloudFormationCustomResourceEvent;
const log = () => undefined;

async function put(key: string, body: string | Buffer, bucket = 'docs-bucket') {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function keys(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: 'docs-bucket', Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort();
}

async function stage(files: Record<string, string> = FILES, manifest: Partial<{ modelId: string; revision: string; sizes: Record<string, number> }> = {}) {
  for (const [name, content] of Object.entries(files)) await put(SOURCE + name, content);
  const listed = Object.entries(FILES).map(([p, c]) => ({ path: p, size: manifest.sizes?.[p] ?? Buffer.byteLength(c), sha256: '0'.repeat(64) }));
  await put(manifestKeyOf(SOURCE), JSON.stringify({ format: MANIFEST_FORMAT, modelId: manifest.modelId ?? 'google/tiny-pegasus', revision: manifest.revision ?? COMMIT, stagedAt: '2026-11-29T00:00:00Z', files: listed }));
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'staged-model-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(work, 'data'), configureBuckets: [{ name: 'docs-bucket', configs: [] }, { name: 'cdk-assets', configs: [] }] });
  const { port } = await server.run();
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  writeModelCodeArchive(MODEL_CODE_DIR, path.join(work, 'handler.gz'));
  await put('handler.gz', fs.readFileSync(path.join(work, 'handler.gz')), 'cdk-assets');
});

afterAll(async () => {
  s3.destroy();
  await server.close();
  fs.rmSync(work, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const key of await keys('models/')) await s3.send(new DeleteObjectCommand({ Bucket: 'docs-bucket', Key: `models/${key}` }));
});

test('the staged files are copied with the handler as code/inference.py, and the prefix is the physical id', async () => {
  await stage();
  const response = await handleEvent(event('Create'), { s3, log });
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `s3://docs-bucket/${DESTINATION}`, Data: { ModelDataPrefixUrl: `s3://docs-bucket/${DESTINATION}` } });
  expect(DESTINATION).toBe(`models/google/tiny-pegasus/${COMMIT}-handler-ffffffffffff/`);
  expect(await keys(DESTINATION)).toEqual(['code/inference.py', 'config.json', 'model.safetensors', 'nested/tokenizer.json']);
  const copied = await s3.send(new GetObjectCommand({ Bucket: 'docs-bucket', Key: `${DESTINATION}code/inference.py` }));
  expect(await copied.Body!.transformToString()).toBe(handlerSource);
  // The staged prefix itself is left as it was: no code/ in it.
  expect(await keys(SOURCE)).toEqual(['config.json', 'model.safetensors', 'nested/tokenizer.json']);
});

test('a model that is not staged fails the deploy, naming the command to run', async () => {
  const response = await handleEvent(event('Create'), { s3, log });
  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'failed-r1' });
  expect(response.Reason).toBe(`google/tiny-pegasus@${COMMIT} is not staged in s3://docs-bucket/${SOURCE} (no ${manifestKeyOf(SOURCE)}). Run: npx summarizer stage-model google/tiny-pegasus@${COMMIT}`);
});

test('a staged copy with a file missing or of another size fails, naming each file', async () => {
  await stage({ 'config.json': FILES['config.json'], 'model.safetensors': 'short' });
  const response = await handleEvent(event('Create'), { s3, log });
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toBe(
    `the staged copy in s3://docs-bucket/${SOURCE} is incomplete: model.safetensors is 5 bytes, the manifest says 3000; nested/tokenizer.json is missing. Run: npx summarizer stage-model google/tiny-pegasus@${COMMIT}`,
  );
  expect(await keys(DESTINATION)).toEqual([]);
});

test('a manifest for another revision is refused', async () => {
  await stage(FILES, { revision: 'd'.repeat(40) });
  const response = await handleEvent(event('Create'), { s3, log });
  expect(response.Reason).toContain(`holds google/tiny-pegasus@${'d'.repeat(40)}, not the configured google/tiny-pegasus@${COMMIT}`);
});

test('Delete removes only the prefix this resource made; a failed create deletes nothing', async () => {
  await stage();
  await handleEvent(event('Create'), { s3, log });
  await put('models/other/keep.txt', 'keep');
  expect((await handleEvent(event('Delete', {}, 'failed-r0'), { s3, log })).Status).toBe('SUCCESS');
  expect(await keys(DESTINATION)).toHaveLength(4);
  expect((await handleEvent(event('Delete', {}, `s3://docs-bucket/${DESTINATION}`), { s3, log })).Status).toBe('SUCCESS');
  expect(await keys(DESTINATION)).toEqual([]);
  expect(await keys(SOURCE)).toHaveLength(3);
  expect(await keys('models/other/')).toEqual(['keep.txt']);
});

test('a file above the single-copy threshold is copied in ranged parts, encrypted with the data key', async () => {
  const mock = mockClient(S3Client);
  const client = new S3Client({ region: 'us-east-1' });
  const manifest = { format: MANIFEST_FORMAT, modelId: props.ModelId, revision: COMMIT, stagedAt: 'x', files: [{ path: 'model.safetensors', size: 2500, sha256: '0'.repeat(64) }] };
  mock.on(GetObjectCommand, { Key: manifestKeyOf(SOURCE) }).resolves({ Body: s3Body(JSON.stringify(manifest)) as never });
  mock.on(GetObjectCommand, { Bucket: 'cdk-assets' }).callsFake(() => ({ Body: s3Body(fs.readFileSync(path.join(work, 'handler.gz'))) }));
  mock.on(HeadObjectCommand).resolves({ ContentLength: 2500 });
  mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
  mock.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `e${input.PartNumber}` } }));
  await makeServable(props, { s3: client, log, multipartThreshold: 1000, partSize: 1000 });
  expect(mock).not.toHaveReceivedCommand(CopyObjectCommand);
  expect(mock).toHaveReceivedCommandWith(CreateMultipartUploadCommand, { Key: `${DESTINATION}model.safetensors`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: props.KmsKeyArn });
  const ranges = mock.commandCalls(UploadPartCopyCommand).map((c) => [c.args[0].input.PartNumber, c.args[0].input.CopySourceRange]);
  expect(ranges.sort()).toEqual([[1, 'bytes=0-999'], [2, 'bytes=1000-1999'], [3, 'bytes=2000-2499']]);
  expect(mock).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, { UploadId: 'u1', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: 'e1' }, { PartNumber: 2, ETag: 'e2' }, { PartNumber: 3, ETag: 'e3' }] } });
  expect(mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: `${DESTINATION}code/inference.py`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: props.KmsKeyArn });
  mock.restore();
});

describe('the Hub handler archive, copied into the app bucket', () => {
  const archive = { Kind: 'handler-archive', HandlerUrl: 's3://cdk-assets/handler.gz', DestinationBucket: 'docs-bucket', DestinationKey: 'models/handler/abc.tar.gz', KmsKeyArn: props.KmsKeyArn };
  const archiveEvent = (type: 'Create' | 'Delete', physical?: string) =>
    ({ RequestType: type, ResponseURL: 'https://cfn', StackId: 'stack', RequestId: 'r2', LogicalResourceId: 'Archive', ResourceType: 'Custom::HandlerArchiveInAppBucket', ServiceToken: 'arn', ResourceProperties: { ServiceToken: 'arn', ...archive }, ...(physical ? { PhysicalResourceId: physical } : {}) }) as unknown as CloudFormationCustomResourceEvent;

  test('Create copies the asset byte for byte; Delete removes that object only, and a failed create nothing', async () => {
    const created = await handleEvent(archiveEvent('Create'), { s3, log });
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 's3://docs-bucket/models/handler/abc.tar.gz', Data: { Url: 's3://docs-bucket/models/handler/abc.tar.gz' } });
    const copied = await s3.send(new GetObjectCommand({ Bucket: 'docs-bucket', Key: 'models/handler/abc.tar.gz' }));
    expect(Buffer.from(await copied.Body!.transformToByteArray()).equals(fs.readFileSync(path.join(work, 'handler.gz')))).toBe(true);
    await put('models/handler/other.tar.gz', 'keep');
    expect((await handleEvent(archiveEvent('Delete', 'failed-r1'), { s3, log })).Status).toBe('SUCCESS');
    expect(await keys('models/handler/')).toEqual(['abc.tar.gz', 'other.tar.gz']);
    expect((await handleEvent(archiveEvent('Delete', 's3://docs-bucket/models/handler/abc.tar.gz'), { s3, log })).Status).toBe('SUCCESS');
    expect(await keys('models/handler/')).toEqual(['other.tar.gz']);
  });

  test('an asset that is not there fails the create with S3\'s reason', async () => {
    const missing = await handleEvent({ ...archiveEvent('Create'), ResourceProperties: { ServiceToken: 'arn', ...archive, HandlerUrl: 's3://cdk-assets/none.gz' } } as unknown as CloudFormationCustomResourceEvent, { s3, log });
    expect(missing).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'failed-r2' });
    expect(missing.Reason).toBeTruthy();
  });
});
