import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import S3rver from 's3rver';
import { createClients } from '../../cli/clients';
import { run } from '../../cli/main';
import { readManifest } from '../../cli/manifest';
import { summaryFromResponse } from '../../common/payload';
import { BASE_OUTPUTS, stackOutputs } from '../helpers/cli';

/**
 * The upload → poll → download path against a real S3-compatible server on loopback (s3rver),
 * with SageMaker played by a fake that reads the uploaded payload from that server and, a little
 * later, writes its result there, as the endpoint would.
 */
const cloudFormation = mockClient(CloudFormationClient);
const runtime = mockClient(SageMakerRuntimeClient);
const sagemaker = mockClient(SageMakerClient);
let server: S3rver;
let s3: S3Client;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(work, 'data'), configureBuckets: [{ name: 'docs-bucket', configs: [] }] });
  const { port } = await server.run();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});

afterAll(async () => {
  s3.destroy();
  await server.close();
});

beforeEach(() => {
  cloudFormation.reset();
  runtime.reset();
  sagemaker.reset();
  sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', CreationTime: new Date(), LastModifiedTime: new Date(), EndpointStatus: 'InService' });
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
});

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await run(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    clients: () => ({ ...createClients('us-east-1'), s3 }),
    // Polling delays are seconds in real use; here each one is 20 ms of real time.
    sleep: () => realSleep(20),
  });
  return { code, out, err };
}

test('submit uploads to the server, the fake endpoint answers later, wait downloads the summary', async () => {
  runtime.on(InvokeEndpointAsyncCommand).callsFake(async (input) => {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(input.InputLocation!)!;
    const text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    const payload = input.ContentType === 'text/plain' ? { inputs: text } : JSON.parse(text);
    const outputKey = `output/${input.InferenceId}.out`;
    setTimeout(() => {
      void s3.send(new PutObjectCommand({ Bucket: bucket, Key: outputKey, Body: JSON.stringify([{ summary_text: `Summary of: ${payload.inputs.slice(0, 16)}` }]) }));
    }, 100);
    return { InferenceId: input.InferenceId, OutputLocation: `s3://${bucket}/${outputKey}`, FailureLocation: `s3://${bucket}/failure/${input.InferenceId}-error.out` };
  });
  const docs = path.join(work, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  fs.copyFileSync(path.join(__dirname, '..', '..', 'samples', 'articles', 'market-brief.txt'), path.join(docs, 'market-brief.txt'));
  const manifest = path.join(work, 'manifest.json');

  const submitted = await cli(['submit', docs, '--manifest', manifest]);
  expect(submitted.code).toBe(0);
  const [entry] = readManifest(manifest).entries;
  const stored = await s3.send(new GetObjectCommand({ Bucket: 'docs-bucket', Key: entry.key! }));
  // The article itself, byte for byte: SageMaker is given the text, not a wrapped copy.
  expect(await stored.Body!.transformToString()).toBe(fs.readFileSync(path.join(docs, 'market-brief.txt'), 'utf8'));

  const out = path.join(work, 'summaries');
  const waited = await cli(['wait', manifest, '--out', out, '--timeout', '60']);
  expect(waited.code).toBe(0);
  const summary = fs.readFileSync(path.join(out, 'market-brief.summary.txt'), 'utf8');
  const raw = fs.readFileSync(path.join(out, 'market-brief.out.json'), 'utf8');
  expect(summary).toBe(`${summaryFromResponse(raw)}\n`);
  expect(summary).toMatch(/^Summary of: /);
});

test('a re-run finds the earlier upload on the server and submits nothing', async () => {
  runtime.on(InvokeEndpointAsyncCommand).resolves({ OutputLocation: 's3://docs-bucket/output/x.out' });
  const docs = fs.mkdtempSync(path.join(work, 'rerun-'));
  fs.writeFileSync(path.join(docs, 'note.txt'), 'A short clinical note.');
  const manifest = path.join(docs, '..', `rerun-${path.basename(docs)}.json`);
  expect((await cli(['submit', docs, '--manifest', manifest])).code).toBe(0);
  expect(runtime.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(1);
  const again = await cli(['submit', docs, '--manifest', manifest]);
  expect(again.code).toBe(0);
  expect(runtime.commandCalls(InvokeEndpointAsyncCommand)).toHaveLength(1);
  expect(again.out).toContain('1 already-submitted');
});
