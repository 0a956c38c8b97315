import 'aws-sdk-client-mock-jest';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { inferenceIdForObject } from '../../common/inference-id';
import { previewDocuments } from '../../cli/commands/submit';
import { expandInputs } from '../../cli/documents';
import { readManifest } from '../../cli/manifest';
import { BASE_OUTPUTS, DescribeStacksCommand, runCli, stackOutputs, tempFiles } from '../helpers/cli';
import { makeDocx, makeHtmlPage, makePdf } from '../helpers/documents';

const cloudFormation = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const runtime = mockClient(SageMakerRuntimeClient);
const sagemaker = mockClient(SageMakerClient);
const endpoint = (status: string, reason?: string) => ({ EndpointName: 'ep', EndpointArn: 'a', EndpointConfigName: 'c', CreationTime: new Date(), LastModifiedTime: new Date(), EndpointStatus: status as 'InService', FailureReason: reason });
const notFound = Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let dir: string;
let manifestPath: string;

beforeEach(() => {
  cloudFormation.reset();
  s3.reset();
  runtime.reset();
  sagemaker.reset();
  sagemaker.on(DescribeEndpointCommand).resolves(endpoint('InService'));
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs(BASE_OUTPUTS));
  s3.on(HeadObjectCommand).rejects(notFound);
  s3.on(PutObjectCommand).callsFake((input) => ({ ETag: `"etag-${input.Key}"` }));
  runtime.on(InvokeEndpointAsyncCommand).callsFake((input) => ({
    InferenceId: input.InferenceId,
    OutputLocation: `s3://docs-bucket/output/${input.InferenceId}.out`,
    FailureLocation: `s3://docs-bucket/failure/${input.InferenceId}-error.out`,
  }));
  dir = tempFiles({
    'brief.txt': 'Markets rallied.',
    'nested/paper.json': '{"inputs": "A paper.", "parameters": {"max_length": 64}}',
  });
  manifestPath = path.join(dir, 'manifest.json');
});

describe('without the pipeline (direct)', () => {
  test('text goes as it is (text/plain, by reference) under a content-addressed, header-safe key, whatever the file is called', async () => {
    const unicode = tempFiles({ 'Überblick 报告 🦜.txt': 'Märkte legten zu.' });
    const { code } = await runCli(['submit', unicode, '--manifest', manifestPath]);
    expect(code).toBe(0);
    const key = `input/cli/${sha('Märkte legten zu.')}.txt`;
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'docs-bucket', Key: key, ContentType: 'text/plain' });
    expect(runtime).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      EndpointName: 'ep',
      InputLocation: `s3://docs-bucket/${key}`,
      ContentType: 'text/plain',
      InferenceId: sha('Märkte legten zu.'),
    });
  });

  test('with --param, text is wrapped; payloads are uploaded content-addressed under input/cli/, and submitted with a content-derived InferenceId', async () => {
    const { code, out } = await runCli(['submit', dir, '--manifest', manifestPath, '--param', 'max_length=128']);
    expect(code).toBe(0);
    const briefPayload = JSON.stringify({ inputs: 'Markets rallied.', parameters: { max_length: 128 } });
    const paperPayload = '{"inputs": "A paper.", "parameters": {"max_length": 64}}';
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'docs-bucket', Key: `input/cli/${sha(briefPayload)}.json`, ContentType: 'application/json' });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Key: `input/cli/${sha(paperPayload)}.json` });
    expect(runtime).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, {
      EndpointName: 'ep',
      InputLocation: `s3://docs-bucket/input/cli/${sha(briefPayload)}.json`,
      ContentType: 'application/json',
      InferenceId: sha(briefPayload),
      InvocationTimeoutSeconds: 1800,
    });
    const manifest = readManifest(manifestPath);
    expect(manifest).toMatchObject({ version: 1, mode: 'direct', bucket: 'docs-bucket', endpointName: 'ep', stackName: 'PegasusSummarizer-dev' });
    expect(manifest.entries.map((e) => [path.basename(e.file), e.status, e.inferenceId])).toEqual([
      ['brief.txt', 'submitted', sha(briefPayload)],
      ['paper.json', 'submitted', sha(paperPayload)],
    ]);
    expect(manifest.entries[0].outputLocation).toBe(`s3://docs-bucket/output/${sha(briefPayload)}.out`);
    expect(out).toContain('2 submitted');
  });

  test('throttled calls are retried with backoff and succeed', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    runtime.on(InvokeEndpointAsyncCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ OutputLocation: 's3://docs-bucket/output/x.out' });
    const { code } = await runCli(['submit', path.join(dir, 'brief.txt'), '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 3);
    expect(readManifest(manifestPath).entries[0].status).toBe('submitted');
  });

  test('re-running the same batch submits nothing twice', async () => {
    await runCli(['submit', dir, '--manifest', manifestPath]);
    s3.resetHistory();
    runtime.resetHistory();
    const { code, out } = await runCli(['submit', dir, '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(runtime).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(out).toContain('2 already-submitted');
  });

  test('a partial batch failure: every file is accounted for, the good ones go through, exit code 1', async () => {
    const bad = tempFiles({
      'good.md': '# Findings\nThe trial met its endpoint.',
      'empty.txt': '',
      'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      'scan.pdf': '%PDF-1.7',
      'broken.json': '{"inputs": ',
      'upload-fails.txt': 'This one hits an S3 error.',
    });
    s3.on(PutObjectCommand, { Key: `input/cli/${sha('This one hits an S3 error.')}.txt` }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const { code, out } = await runCli(['submit', bad, path.join(bad, 'missing.txt'), '--manifest', manifestPath]);
    expect(code).toBe(1);
    const byName = Object.fromEntries(readManifest(manifestPath).entries.map((e) => [path.basename(e.file), [e.status, e.reason]]));
    expect(byName).toEqual({
      'missing.txt': ['rejected', 'no such file or folder'],
      'broken.json': ['rejected', expect.stringMatching(/^not valid JSON/)],
      'empty.txt': ['rejected', 'empty file: there is nothing to summarize'],
      'good.md': ['submitted', undefined],
      'latin1.txt': ['rejected', 'the document is not valid UTF-8 text'],
      'scan.pdf': ['rejected', expect.stringMatching(/^the PDF is corrupt or incomplete/)],
      'upload-fails.txt': ['failed', 'AccessDenied: Access Denied'],
    });
    expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1);
    expect(out).toMatch(/1 submitted/);
    expect(out).toMatch(/5 rejected/);
    expect(out).toMatch(/1 failed/);
  });

  test('a glob pattern selects files', async () => {
    const { code } = await runCli(['submit', `${dir}/**/*.json`, '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(readManifest(manifestPath).entries.map((e) => path.basename(e.file))).toEqual(['paper.json']);
  });
});

describe('with the pipeline deployed', () => {
  beforeEach(() => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
  });

  test('the upload under input/ is the submission: no InvokeEndpointAsync, the pipeline inference id is recorded', async () => {
    const { code } = await runCli(['submit', path.join(dir, 'brief.txt'), '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(runtime).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    const key = `input/cli/${sha('Markets rallied.')}.txt`;
    expect(readManifest(manifestPath)).toMatchObject({
      mode: 'pipeline',
      tableName: 'summaries',
      entries: [{ status: 'submitted', key, inferenceId: inferenceIdForObject('docs-bucket', key, `"etag-${key}"`) }],
    });
  });

  test('an object already uploaded is not uploaded again (the pipeline already has it)', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"earlier"' });
    await runCli(['submit', path.join(dir, 'brief.txt'), '--manifest', manifestPath]);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    const key = `input/cli/${sha('Markets rallied.')}.txt`;
    expect(readManifest(manifestPath).entries[0]).toMatchObject({ status: 'already-submitted', inferenceId: inferenceIdForObject('docs-bucket', key, '"earlier"') });
  });

  test('a stack whose invoker wakes the endpoint (its alarm only a 12-minute backstop): --direct wakes it too, sized by the run; the pipeline path leaves that to the invoker', async () => {
    const wake = { WakeVariantName: 'AllTraffic', WakeBacklogPerInstance: '1', WakeMaxInstances: '5' };
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries', ...wake }));
    sagemaker.on(DescribeEndpointCommand).resolves({ ...endpoint('InService'), ProductionVariants: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 0, CurrentInstanceCount: 0 }] });
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).resolves({});

    const direct = await runCli(['submit', dir, '--direct', '--manifest', manifestPath]);
    expect(direct.code).toBe(0);
    // Two documents, one instance per waiting request: two instances, asked for once.
    expect(sagemaker).toHaveReceivedCommandTimes(UpdateEndpointWeightsAndCapacitiesCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(UpdateEndpointWeightsAndCapacitiesCommand, {
      EndpointName: 'ep',
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }],
    });
    expect(direct.err).toContain('woke the endpoint (2 instances)');

    sagemaker.resetHistory();
    await runCli(['submit', path.join(dir, 'brief.txt'), '--manifest', path.join(dir, 'other.json')]);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateEndpointWeightsAndCapacitiesCommand);
  });

  test('a wake the caller may not make is a warning on stderr, not a failed submission', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries', WakeVariantName: 'AllTraffic', WakeBacklogPerInstance: '5', WakeMaxInstances: '5' }));
    sagemaker.on(DescribeEndpointCommand).resolves({ ...endpoint('InService'), ProductionVariants: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 0, CurrentInstanceCount: 0 }] });
    sagemaker.on(UpdateEndpointWeightsAndCapacitiesCommand).rejects(Object.assign(new Error('not authorized to perform: sagemaker:UpdateEndpointWeightsAndCapacities'), { name: 'AccessDeniedException' }));

    const { code, err } = await runCli(['submit', path.join(dir, 'brief.txt'), '--direct', '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(readManifest(manifestPath).entries[0]).toMatchObject({ status: 'submitted' });
    expect(err).toContain('warning: could not wake the endpoint; the HasBacklogWithoutCapacity alarm will: not authorized to perform: sagemaker:UpdateEndpointWeightsAndCapacities');
  });

  test('--direct puts payloads under requests/ so the pipeline does not submit them a second time', async () => {
    await runCli(['submit', path.join(dir, 'brief.txt'), '--direct', '--manifest', manifestPath]);
    const key = `requests/cli/${sha('Markets rallied.')}.txt`;
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Key: key });
    expect(runtime).toHaveReceivedCommandWith(InvokeEndpointAsyncCommand, { InputLocation: `s3://docs-bucket/${key}` });
  });
});

test('an endpoint that cannot take requests stops a direct submit before anything is uploaded', async () => {
  sagemaker.on(DescribeEndpointCommand).resolves(endpoint('Failed', 'Image not found'));
  const { code, err } = await runCli(['submit', dir, '--manifest', manifestPath]);
  expect(code).toBe(1);
  expect(err).toBe('error: endpoint "ep" is Failed (Image not found), not InService; nothing was submitted. See npx summarizer status.\n');
  expect(s3).not.toHaveReceivedAnyCommand();
  expect(runtime).not.toHaveReceivedAnyCommand();
});

test('missing stack outputs name the flag that supplies them', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ BucketName: 'b' }));
  const { code, err } = await runCli(['submit', dir, '--manifest', manifestPath]);
  expect(code).toBe(1);
  expect(err).toBe('error: the stack has no EndpointName output (is it deployed with this feature on?); pass --endpoint to name it directly.\n');
  expect(fs.existsSync(manifestPath)).toBe(false);
});

describe('documents as researchers have them', () => {
  async function mixedFolder(): Promise<string> {
    return tempFiles({
      'report.pdf': Buffer.from(await makePdf([1, 2].map((n) => ({ lines: [`Finding ${n}: storage costs fell.`] })))),
      'article.html': makeHtmlPage({ title: 'Storage prices fall', paragraphs: ['Battery storage prices fell for the third year running, according to a survey of eleven regional grid operators published on Tuesday, and households felt it.'] }),
      'notes.docx': Buffer.from(await makeDocx({ title: 'Notes', paragraphs: ['The trial met its endpoint.'], bullets: ['Costs fell'], heading: 'Next', closing: 'June.' })),
      'memo.txt': 'Budget approved.',
      'scan.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]),
    });
  }

  test('--dry-run lists what each file is and what would be extracted and sent, with no AWS call', async () => {
    const { code, out } = await runCli(['submit', await mixedFolder(), '--dry-run', '--manifest', manifestPath]);
    expect(code).toBe(1); // one file would be refused
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
    expect(s3).not.toHaveReceivedAnyCommand();
    expect(runtime).not.toHaveReceivedAnyCommand();
    expect(out).toMatch(/report\.pdf\s+│?\s*pdf, 2 pages, \d+ characters\s+│?\s*submit/);
    expect(out).toMatch(/article\.html\s+│?\s*html, \d+ characters/);
    expect(out).toMatch(/notes\.docx\s+│?\s*docx, \d+ characters/);
    expect(out).toMatch(/memo\.txt\s+│?\s*text, 16 characters/);
    expect(out).toMatch(/scan\.png.*be refused.*PNG image/);
    expect(out).toContain('4 would-submit, 1 rejected (dry run: nothing was uploaded or submitted)');
    expect(fs.existsSync(manifestPath)).toBe(false);
  });

  test('a document estimated to outlive the invocation timeout is warned about before it is sent; --strict refuses it', async () => {
    const sentence = 'Regional grid operators reported that storage cut peak demand. ';
    const long = tempFiles({ 'huge.txt': sentence.repeat(35_000), 'short.txt': sentence }); // 315,000 words
    const warned = await runCli(['submit', long, '--dry-run', '--manifest', manifestPath]);
    expect(warned.code).toBe(0);
    expect(warned.err).toMatch(
      /^warning: .*huge\.txt: about 409,500 tokens, about \d+ s of GPU time at the planner's assumptions \(⚠ 2 s per 1024-token window\), over the invocation timeout of 900 s: raise invocationTimeoutSeconds \(at most 3600\) or split the document \(--strict refuses it\)$/m,
    );
    expect(warned.err).not.toContain('short.txt');
    expect(warned.out).toContain('2 would-submit');
    const strict = await runCli(['submit', long, '--dry-run', '--strict', '--manifest', manifestPath]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/huge\.txt.*too long for the endpoint/s);
  });

  test('a name that gives no file says why in words a person uses: an empty folder, a pattern, a missing name', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-folder-'));
    const entries = await previewDocuments([], (await expandInputs([empty, path.join(empty, '*.pdf'), path.join(empty, 'gone.txt')])).unmatched, {}, 1);
    expect(entries.map((e) => e.reason)).toEqual([
      `no documents in ${empty} (looked for every file below it, hidden files excluded)`,
      `no file matches the pattern ${path.join(empty, '*.pdf')}`,
      'no such file or folder',
    ]);
    const { code, out } = await runCli(['submit', empty, '--dry-run', '--manifest', manifestPath]);
    expect(code).toBe(1);
    expect(out).toContain('no documents in');
  });

  test('a PDF is extracted locally with the pipeline\'s module, shown before it is sent, and its text submitted as text/plain', async () => {
    const dir = tempFiles({ 'Bericht.pdf': Buffer.from(await makePdf([{ lines: ['Finding: storage costs fell.'] }], { footer: () => 'Page 1' })) });
    const { code, err } = await runCli(['submit', dir, '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(err).toMatch(/Bericht\.pdf: pdf, 1 page, 28 characters/);
    const key = `input/cli/${sha('Finding: storage costs fell.')}.txt`;
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Key: key, ContentType: 'text/plain' });
    const body = s3.commandCalls(PutObjectCommand)[0].args[0].input.Body;
    expect(Buffer.from(body as Buffer).toString('utf8')).toBe('Finding: storage costs fell.');
    expect(readManifest(manifestPath).entries[0]).toMatchObject({ status: 'submitted', format: 'pdf', pages: 1, characters: 28 });
  });
});

describe('flags cannot make a document go twice', () => {
  test('--direct on a stack with the pipeline never uploads under input/ (whatever --table says)', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
    await runCli(['submit', path.join(dir, 'brief.txt'), '--direct', '--table', 'another-table', '--manifest', manifestPath]);
    const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys).toEqual([`requests/cli/${sha('Markets rallied.')}.txt`]);
  });

  test('--table on a stack without the pipeline does not turn on pipeline mode (nothing would submit the upload)', async () => {
    await runCli(['submit', path.join(dir, 'brief.txt'), '--table', 'some-table', '--manifest', manifestPath]);
    expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointAsyncCommand, 1);
  });

  test('a re-run with other flags (pipeline first, then --direct) recognises what was already submitted', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackOutputs({ ...BASE_OUTPUTS, SummariesTableName: 'summaries' }));
    await runCli(['submit', dir, '--manifest', manifestPath]);
    s3.resetHistory();
    runtime.resetHistory();
    const { code, out } = await runCli(['submit', dir, '--direct', '--manifest', manifestPath]);
    expect(code).toBe(0);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(runtime).not.toHaveReceivedCommand(InvokeEndpointAsyncCommand);
    expect(out).toContain('2 already-submitted');
  });
});
