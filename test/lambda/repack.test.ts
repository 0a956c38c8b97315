import 'aws-sdk-client-mock-jest';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as tarStream from 'tar-stream';
import { MODEL_CODE_DIR, writeModelCodeArchive } from '../../lib/constructs/model-handler-code';
import { handleEvent, sendResponse } from '../../lambda/repack/handler';
import { s3Body } from '../helpers/lambda';

const s3 = mockClient(S3Client);
const deps = { s3: new S3Client({ region: 'us-east-1' }), log: () => undefined };
const handlerSource = fs.readFileSync(path.join(MODEL_CODE_DIR, 'inference.py'), 'utf8');

/** A gzipped tar of the given files, as a user's model.tar.gz would be. */
async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack.pipe(zlib.createGzip())) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function entries(archive: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve) => extract.on('finish', resolve));
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out[header.name] = header.type === 'directory' ? '<dir>' : Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  extract.end(zlib.gunzipSync(archive));
  await done;
  return out;
}

const props = { SourceUrl: 's3://research-models/pegasus/model.tar.gz', HandlerUrl: 's3://cdk-assets/abc.gz', DestinationBucket: 'docs-bucket', DestinationKey: 'models/h1/model.tar.gz' };
const event = (type: 'Create' | 'Update' | 'Delete', physical?: string) =>
  ({ RequestType: type, ResponseURL: 'https://cfn', StackId: 'stack', RequestId: 'r1', LogicalResourceId: 'Artifact', ResourceType: 'Custom::X', ServiceToken: 'arn', ResourceProperties: { ServiceToken: 'arn', ...props }, ...(physical ? { PhysicalResourceId: physical } : {}) }) as unknown as CloudFormationCustomResourceEvent;

let uploaded: Buffer | undefined;
beforeEach(async () => {
  s3.reset();
  uploaded = undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-'));
  writeModelCodeArchive(MODEL_CODE_DIR, path.join(dir, 'code.tar.gz'));
  s3.on(GetObjectCommand, { Bucket: 'cdk-assets', Key: 'abc.gz' }).callsFake(() => ({ Body: s3Body(fs.readFileSync(path.join(dir, 'code.tar.gz'))) }));
  const source = await tarGz({ 'config.json': '{"architectures":["PegasusForConditionalGeneration"]}', 'model.safetensors': 'WEIGHTS', 'code/inference.py': '# their old handler', 'code/requirements.txt': 'somepackage' });
  s3.on(GetObjectCommand, { Bucket: 'research-models', Key: 'pegasus/model.tar.gz' }).callsFake(() => ({ Body: s3Body(source) }));
  s3.on(PutObjectCommand).callsFake(async (input) => {
    const chunks: Buffer[] = [];
    const body = input.Body as Buffer | AsyncIterable<Buffer>;
    if (Buffer.isBuffer(body) || body instanceof Uint8Array) chunks.push(Buffer.from(body));
    else for await (const c of body) chunks.push(Buffer.from(c));
    uploaded = Buffer.concat(chunks);
    return { ETag: '"x"' };
  });
});

test('Create: the artifact is streamed into a new one with our handler in place of its own code/, everything else kept', async () => {
  const response = await handleEvent(event('Create'), deps);
  expect(response.Reason).toBeUndefined();
  expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 's3://docs-bucket/models/h1/model.tar.gz', Data: { ModelDataUrl: 's3://docs-bucket/models/h1/model.tar.gz' } });
  expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'docs-bucket', Key: 'models/h1/model.tar.gz', ContentType: 'application/gzip' });
  expect(await entries(uploaded!)).toEqual({
    'config.json': '{"architectures":["PegasusForConditionalGeneration"]}',
    'model.safetensors': 'WEIGHTS',
    'code/': '<dir>',
    'code/inference.py': handlerSource,
  });
});

test('Delete removes the artifact it wrote, and nothing for a create that failed', async () => {
  s3.on(DeleteObjectCommand).resolves({});
  expect(await handleEvent(event('Delete', 's3://docs-bucket/models/h1/model.tar.gz'), deps)).toMatchObject({ Status: 'SUCCESS' });
  expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'docs-bucket', Key: 'models/h1/model.tar.gz' });
  s3.resetHistory();
  expect(await handleEvent(event('Delete', 'failed-r0'), deps)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'failed-r0' });
  expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
});

test('a source that cannot be read fails the deploy with the reason (not a hang)', async () => {
  s3.on(GetObjectCommand, { Bucket: 'research-models', Key: 'pegasus/model.tar.gz' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
  const response = await handleEvent(event('Create'), deps);
  expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'failed-r1', Reason: 'Could not add the summarizer handler to s3://research-models/pegasus/model.tar.gz: Access Denied' });
});

test('a source that is not a gzipped tar fails with the reason', async () => {
  s3.on(GetObjectCommand, { Bucket: 'research-models', Key: 'pegasus/model.tar.gz' }).callsFake(() => ({ Body: s3Body('not gzip') }));
  const response = await handleEvent(event('Create'), deps);
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/^Could not add the summarizer handler to s3:\/\/research-models\/pegasus\/model\.tar\.gz: .*(header|gzip)/i);
});

test('the response is PUT to the pre-signed URL as CloudFormation expects', async () => {
  const received: Array<{ method?: string; body: string; contentType?: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method, body, contentType: req.headers['content-type'] });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await sendResponse(`http://127.0.0.1:${port}/presigned?sig=1`, { Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' });
  server.close();
  expect(received).toEqual([{ method: 'PUT', contentType: '', body: JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }) }]);
});
