import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';

/** Runs `cdk synth` as a user would (the real CLI, cdk.json, bin/app.ts, cdk-nag). */
function cdkSynth(...contextArgs: string[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'summarizer-synth-'));
  const root = path.join(__dirname, '..');
  const args = ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir];
  for (const c of contextArgs) args.push('-c', c);
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk'), args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    timeout: 120_000,
  });
  const files = fs.existsSync(outdir) ? fs.readdirSync(outdir) : [];
  // Lambda assets bundled by the local esbuild: asset.<hash>/index.js.
  const bundleDirs = files.filter((f) => f.startsWith('asset.') && fs.existsSync(path.join(outdir, f, 'index.js')));
  const bundles = bundleDirs.map((f) => fs.readFileSync(path.join(outdir, f, 'index.js'), 'utf8'));
  // What each bundle ships beside its code (pdf.js's data for the invoker).
  const bundleFiles = bundleDirs.map((f) => fs.readdirSync(path.join(outdir, f), { recursive: true }).map(String));
  // The model handler archive: asset.<hash>.tar.gz, and what it holds.
  const archives = files.filter((f) => f.endsWith('.tar.gz'));
  const archived: Record<string, string> = {};
  for (const a of archives) {
    tar.list({ file: path.join(outdir, a), sync: true, onReadEntry: (e) => (archived[String(e.path)] = e.type) });
  }
  const extracted = fs.mkdtempSync(path.join(os.tmpdir(), 'summarizer-code-'));
  if (archives.length === 1) tar.extract({ file: path.join(outdir, archives[0]), cwd: extracted, sync: true });
  const handler = fs.existsSync(path.join(extracted, 'code', 'inference.py')) ? fs.readFileSync(path.join(extracted, 'code', 'inference.py'), 'utf8') : undefined;
  const template = files.find((f) => f.endsWith('.template.json'));
  const templateText = template ? fs.readFileSync(path.join(outdir, template), 'utf8') : '';
  for (const d of [outdir, extracted]) fs.rmSync(d, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr, files, bundles, bundleFiles, archives, archived, handler, templateText };
}

/** One real synth (bundling included) serves the tests that read its output. */
let synth: ReturnType<typeof cdkSynth>;
beforeAll(() => {
  synth = cdkSynth('stage=ci');
});

test('cdk synth writes the stage template, bundles the four Lambdas with esbuild, and passes cdk-nag', () => {
  const { status, stderr, files, bundles } = synth;
  expect(stderr).not.toMatch(/AwsSolutions-/);
  expect(status).toBe(0);
  expect(files).toContain('PegasusSummarizer-ci.template.json');
  expect(bundles).toHaveLength(4);
  // Minified bundles that carry their own SDK (bundleAwsSDK) and our handler logic: the two
  // pipeline functions, the one that creates or adopts the endpoint's log group, and the one
  // that copies the handler archive into the app bucket.
  for (const bundle of bundles) expect(bundle.length).toBeGreaterThan(100_000);
  expect(bundles.filter((b) => b.includes('batchItemFailures'))).toHaveLength(2);
  expect(bundles.filter((b) => b.includes('ResourceAlreadyExistsException') && b.includes('AssociateKmsKey'))).toHaveLength(1);
  expect(bundles.some((b) => b.includes('InvokeEndpointAsync'))).toBe(true);
  expect(bundles.filter((b) => b.includes('handler-archive') && b.includes('CopyObject'))).toHaveLength(1);
  // The invoker carries the extraction libraries (pdf.js with its parser, Readability, mammoth).
  const invoker = bundles.find((b) => b.includes('InvokeEndpointAsync'))!;
  for (const library of ['getTextContent', 'WorkerMessageHandler', 'Readability', 'convertToHtml']) expect(invoker).toContain(library);
  // ...and pdf.js's CMaps and standard fonts, which CJK PDFs need (only the invoker extracts).
  const withData = synth.bundleFiles.filter((f) => f.includes(path.join('pdfjs-data', 'cmaps', 'UniJIS-UCS2-H.bcmap')));
  expect(withData).toHaveLength(1);
  expect(withData[0]).toContain(path.join('pdfjs-data', 'standard_fonts', 'FoxitSerif.pfb'));
  expect(synth.bundles[synth.bundleFiles.indexOf(withData[0])]).toContain('InvokeEndpointAsync');
});

test('cdk synth packages the model handler offline as code/inference.py; it is copied into the app bucket, and the model reads that copy', () => {
  const { status, archives, archived, handler, templateText } = synth;
  expect(status).toBe(0);
  expect(archives).toHaveLength(1);
  expect(archived).toEqual({ 'code/': 'Directory', 'code/inference.py': 'File' });
  expect(handler).toBe(fs.readFileSync(path.join(__dirname, '..', 'model', 'code', 'inference.py'), 'utf8'));
  const hash = /^asset\.([0-9a-f]{64})\.tar\.gz$/.exec(archives[0])![1];
  const resources = Object.values(JSON.parse(templateText).Resources as Record<string, any>);
  const copy = resources.find((r) => r.Type === 'Custom::HandlerArchiveInAppBucket');
  expect(copy.Properties.HandlerUrl).toEqual({ 'Fn::Sub': `s3://cdk-hnb659fds-assets-\${AWS::AccountId}-\${AWS::Region}/${hash}.gz` });
  const model = resources.find((r) => r.Type === 'AWS::SageMaker::Model');
  expect(model.Properties.PrimaryContainer.ModelDataSource.S3DataSource).toEqual({
    S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^DocumentsBucket/) }, `/${copy.Properties.DestinationKey}`]] },
    S3DataType: 'S3Object',
    CompressionType: 'Gzip',
  });
  expect(copy.Properties.DestinationKey).toBe(`models/handler/${hash.slice(0, 32)}.tar.gz`);
});

test('cdk synth with bad configuration fails naming key, value and what is allowed, and writes no template', () => {
  const { status, stderr, files } = cdkSynth('maxCapacity=0', 'alarmEmail=ops@example.com');
  expect(status).not.toBe(0);
  expect(stderr).toContain('Invalid configuration (2 problems); nothing was synthesized:');
  expect(stderr).toContain('unknown key "alarmEmail" (from -c or cdk.json context). Did you mean "alarmEmails"?');
  expect(stderr).toContain('maxCapacity: got "0" (from -c or cdk.json context); expected an integer from 1 to 100.');
  expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  expect(files.filter((f) => f.endsWith('.template.json'))).toEqual([]);
});
