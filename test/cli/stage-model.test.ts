import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import S3rver from 's3rver';
import { createClients } from '../../cli/clients';
import { chooseFiles } from '../../cli/commands/stage-model';
import { Hub, HubFile } from '../../cli/hub';
import { run } from '../../cli/main';
import { manifestKeyOf, parseStagedManifest, stagedPrefix } from '../../common/staged-model';
import { BASE_OUTPUTS, stackOutputs } from '../helpers/cli';
import { FakeHub } from '../helpers/fake-hub';

/**
 * `summarizer stage-model` against a loopback Hub (test/helpers/fake-hub.ts: redirects to a CDN,
 * pagination, 404s, a gated model, cut transfers, corrupted bytes) and a real S3-compatible
 * server on loopback (s3rver).
 */
const COMMIT = 'a'.repeat(40);
const GATED_COMMIT = 'b'.repeat(40);
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const FILES = {
  '.gitattributes': Buffer.from('*.bin filter=lfs\n'),
  'README.md': Buffer.from('# tiny\n'),
  'config.json': Buffer.from('{"model_type": "pegasus"}'),
  'generation_config.json': Buffer.from('{"num_beams": 8}'),
  'model.safetensors': bytes(50_000, 1),
  'pytorch_model.bin': bytes(40_000, 2),
  'tf_model.h5': bytes(30_000, 3),
  'spiece.model': bytes(5_000, 4),
  'tokenizer_config.json': Buffer.from('{}'),
};
const hub = new FakeHub([
  { id: 'google/tiny-pegasus', commit: COMMIT, refs: ['main', 'v1'], files: FILES, lfs: ['model.safetensors', 'pytorch_model.bin', 'tf_model.h5', 'spiece.model'] },
  { id: 'acme/gated', commit: GATED_COMMIT, refs: ['main'], files: { 'config.json': Buffer.from('{}'), 'model.safetensors': bytes(1000, 5) }, lfs: ['model.safetensors'], token: 'hf_secret' },
]);
const cloudFormation = mockClient(CloudFormationClient);
let server: S3rver;
let s3: S3Client;
let work: string;
let cache: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-model-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(work, 'data'), configureBuckets: [{ name: 'docs-bucket', configs: [] }, { name: 'my-models', configs: [] }] });
  const { port } = await server.run();
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await hub.start();
});

afterAll(async () => {
  s3.destroy();
  await server.close();
  await hub.stop();
  delete process.env.HF_TOKEN;
  fs.rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
  hub.requests.length = 0;
  cache = fs.mkdtempSync(path.join(work, 'cache-'));
});

async function stage(model: string, extra: string[] = [], client: S3Client = s3) {
  let out = '';
  let err = '';
  process.env.HF_ENDPOINT = hub.endpoint;
  try {
    const code = await run(['stage-model', model, '--cache', cache, ...extra], {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      clients: () => ({ ...createClients('us-east-1'), s3: client }),
      sleep: async () => undefined,
    });
    return { code, out, err };
  } finally {
    delete process.env.HF_ENDPOINT;
  }
}

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort();
}

async function text(bucket: string, key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a branch is resolved to its commit, and only the files the model needs are staged, in the app layout, with a manifest', async () => {
  const { code, out, err } = await stage('google/tiny-pegasus@main');
  expect(err).not.toMatch(/error/i);
  expect(code).toBe(0);
  const prefix = stagedPrefix('google/tiny-pegasus', COMMIT);
  expect(prefix).toBe(`models/google/tiny-pegasus/${COMMIT}/`);
  expect(await keys('docs-bucket', prefix)).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'spiece.model', 'tokenizer_config.json']);
  const staged = (await s3.send(new GetObjectCommand({ Bucket: 'docs-bucket', Key: `${prefix}model.safetensors` }))).Body!;
  expect(Buffer.from(await staged.transformToByteArray()).equals(FILES['model.safetensors'])).toBe(true);

  const manifest = parseStagedManifest(await text('docs-bucket', manifestKeyOf(prefix)), 'manifest');
  expect(manifest).toMatchObject({ modelId: 'google/tiny-pegasus', revision: COMMIT });
  expect(manifest.files.find((f) => f.path === 'model.safetensors')).toEqual({ path: 'model.safetensors', size: 50_000, sha256: sha256(FILES['model.safetensors']) });
  expect(manifest.files.find((f) => f.path === 'config.json')!.sha256).toBe(sha256(FILES['config.json']));

  expect(out).toContain(`Staged google/tiny-pegasus@${COMMIT} in s3://docs-bucket/${prefix}`);
  expect(out).toContain('left out: pytorch_model.bin (the same weights as the safetensors files)');
  expect(out).toContain('left out: tf_model.h5 (weights for another framework)');
  expect(out).toContain(`npx cdk deploy -c modelSource=staged -c modelId=google/tiny-pegasus -c modelRevision=${COMMIT}`);
  // Listing took several pages, and every file came through a redirect to the CDN.
  expect(hub.requests.filter((r) => r.url.includes('/tree/')).length).toBeGreaterThan(2);
  expect(hub.cdnRequests('model.safetensors')).toBe(1);
  expect(hub.cdnRequests('pytorch_model.bin')).toBe(0);
  // Nothing is left in the download cache once uploaded.
  expect(fs.readdirSync(path.join(cache, 'google/tiny-pegasus', COMMIT))).toEqual([]);
});

test('a second run copies nothing and leaves the manifest as it was', async () => {
  await stage(`google/tiny-pegasus@${COMMIT}`);
  const prefix = stagedPrefix('google/tiny-pegasus', COMMIT);
  const before = await text('docs-bucket', manifestKeyOf(prefix));
  hub.requests.length = 0;
  const { code, out } = await stage('google/tiny-pegasus@v1');
  expect(code).toBe(0);
  expect(hub.requests.filter((r) => r.server === 'cdn')).toEqual([]);
  expect(out).toContain('copied: 0 files (0 B); already staged: 5 files; manifest unchanged');
  expect(await text('docs-bucket', manifestKeyOf(prefix))).toBe(before);
});

test('--to stages under any S3 prefix and prints that prefix as the model source', async () => {
  const { code, out } = await stage('google/tiny-pegasus@main', ['--to', 's3://my-models/pegasus/tiny/']);
  expect(code).toBe(0);
  expect(await keys('my-models', 'pegasus/tiny/')).toContain('model.safetensors');
  expect(await text('my-models', 'pegasus/tiny.manifest.json')).toContain(COMMIT);
  expect(out).toContain(`-c modelSource=s3://my-models/pegasus/tiny/ -c modelId=google/tiny-pegasus -c modelRevision=${COMMIT}`);
});

test('a transfer cut short is retried, and the file arrives whole', async () => {
  hub.faults.truncate = { 'spiece.model': 2 };
  const { code } = await stage('google/tiny-pegasus@main', ['--to', 's3://my-models/cut/']);
  expect(code).toBe(0);
  expect(hub.cdnRequests('spiece.model')).toBe(3);
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'my-models', Key: 'cut/spiece.model' }));
  expect(head.Metadata?.sha256).toBe(sha256(FILES['spiece.model']));
});

test('bytes that do not match the Hub checksum are discarded and nothing is declared staged', async () => {
  hub.faults.corrupt = new Set(['model.safetensors']);
  try {
    const { code, err } = await stage('google/tiny-pegasus@main', ['--to', 's3://my-models/corrupt/']);
    expect(code).toBe(1);
    expect(err).toContain(`google/tiny-pegasus@${COMMIT}: model.safetensors does not match the Hub's checksum (expected sha256 ${sha256(FILES['model.safetensors'])}, got sha256 `);
    expect(err).toContain('the download was discarded, run the command again');
    expect(await keys('my-models', 'corrupt/')).not.toContain('model.safetensors');
    await expect(text('my-models', 'corrupt.manifest.json')).rejects.toThrow();
    expect(fs.existsSync(path.join(cache, 'google/tiny-pegasus', COMMIT, 'model.safetensors.part'))).toBe(false);
  } finally {
    hub.faults.corrupt = undefined;
  }
});

test.each([
  ['a revision that does not exist', 'google/tiny-pegasus@no-such-branch', 'no such revision: Invalid rev id: no-such-branch'],
  ['a model that does not exist', 'google/nothing@main', 'no such model on the Hub, or it is private (then set HF_TOKEN)'],
  ['a gated model without a token', 'acme/gated@main', 'this model is gated: accept its terms on the Hub, then set HF_TOKEN to an access token of that account'],
  ['no revision', 'google/tiny-pegasus', 'expected <model id>@<revision>, such as google/pegasus-large@main, got "google/tiny-pegasus"'],
])('%s fails with a clear message', async (_name, model, message) => {
  const { code, err } = await stage(model);
  expect(code).toBe(1);
  expect(err).toContain(message);
});

test('a gated model with HF_TOKEN: the token goes to the Hub, never to the CDN a redirect leads to', async () => {
  process.env.HF_TOKEN = 'hf_secret';
  try {
    const { code } = await stage('acme/gated@main', ['--to', 's3://my-models/gated/']);
    expect(code).toBe(0);
  } finally {
    delete process.env.HF_TOKEN;
  }
  expect(hub.requests.filter((r) => r.server === 'hub').map((r) => r.authorization ?? r.url)).toEqual(hub.requests.filter((r) => r.server === 'hub').map(() => 'Bearer hf_secret'));
  const cdn = hub.requests.filter((r) => r.server === 'cdn');
  expect(cdn.length).toBeGreaterThan(0);
  expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
});

test('a bucket the operator cannot write to, or that does not exist, is named', async () => {
  const denied = new S3Client({ region: 'us-east-1' });
  mockClient(denied).onAnyCommand().rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
  const refused = await stage('google/tiny-pegasus@main', [], denied);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain(`cannot read s3://docs-bucket/models/google/tiny-pegasus/${COMMIT}/ (access denied): staging needs s3:GetObject and s3:PutObject there, and kms:GenerateDataKey and kms:Decrypt on the bucket's key`);

  const missing = await stage('google/tiny-pegasus@main', ['--to', 's3://no-such-bucket/models/']);
  expect(missing.code).toBe(1);
  expect(missing.err).toContain('bucket no-such-bucket does not exist');
});

describe('Hub.download resumes', () => {
  test('an interrupted download keeps its finished ranges, and the next run fetches only the rest', async () => {
    const file: HubFile = { path: 'model.safetensors', size: 50_000, oid: 'x', sha256: sha256(FILES['model.safetensors']) };
    const target = path.join(cache, 'resume', 'model.safetensors');
    const client = new Hub({ endpoint: hub.endpoint, chunkBytes: 10_000, chunkConcurrency: 1, attempts: 1, sleep: async () => undefined });
    hub.faults.truncate = {};
    // The third range is cut short, and with one attempt the download stops there.
    let served = 0;
    const cutThird = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (String(input).includes('/resolve/') || !(init?.headers as Record<string, string>)?.range) return response;
      served++;
      return served === 3 ? new Response(Buffer.alloc(10), { status: 206 }) : response;
    };
    const interrupted = new Hub({ endpoint: hub.endpoint, chunkBytes: 10_000, chunkConcurrency: 1, attempts: 1, sleep: async () => undefined, fetch: cutThird as typeof fetch });
    await expect(interrupted.download('google/tiny-pegasus', COMMIT, file, target)).rejects.toThrow('got 10 of 10000 bytes');
    expect(JSON.parse(fs.readFileSync(`${target}.part.json`, 'utf8')).done).toEqual([0, 1]);

    hub.requests.length = 0;
    const digest = await client.download('google/tiny-pegasus', COMMIT, file, target);
    expect(digest).toBe(file.sha256);
    expect(hub.requests.filter((r) => r.server === 'cdn').map((r) => r.range)).toEqual(['bytes=20000-29999', 'bytes=30000-39999', 'bytes=40000-49999']);
    expect(fs.readFileSync(target).equals(FILES['model.safetensors'])).toBe(true);
    expect(fs.existsSync(`${target}.part.json`)).toBe(false);
  });
});

describe('chooseFiles', () => {
  const f = (p: string): HubFile => ({ path: p, size: 1, oid: 'o' });
  test('without safetensors, the PyTorch .bin weights are kept (sharded, with their index)', () => {
    const { files } = chooseFiles(['config.json', 'pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin', 'pytorch_model.bin.index.json', 'flax_model.msgpack', 'training_args.bin'].map(f));
    expect(files.map((x) => x.path)).toEqual(['config.json', 'pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin', 'pytorch_model.bin.index.json']);
  });
  test("a repository's own code/ is left out: the handler goes there", () => {
    const { skipped } = chooseFiles(['config.json', 'model.safetensors', 'code/inference.py'].map(f));
    expect(skipped).toEqual([{ path: 'code/inference.py', reason: "code/ is where this app's handler goes" }]);
  });
  test('no PyTorch weights, or no config.json, is refused', () => {
    expect(() => chooseFiles(['config.json', 'tf_model.h5'].map(f))).toThrow('no PyTorch weights (*.safetensors or pytorch_model*.bin) among the repository\'s files: config.json, tf_model.h5');
    expect(() => chooseFiles(['model.safetensors'].map(f))).toThrow('the repository has no config.json');
  });
});
