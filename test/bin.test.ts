import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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
  const bundles = files
    .filter((f) => f.startsWith('asset.') && fs.existsSync(path.join(outdir, f, 'index.js')))
    .map((f) => fs.readFileSync(path.join(outdir, f, 'index.js'), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr, files, bundles };
}

test('cdk synth writes the stage template, bundles both Lambdas with esbuild, and passes cdk-nag', () => {
  const { status, stderr, files, bundles } = cdkSynth('stage=ci');
  expect(stderr).not.toMatch(/AwsSolutions-/);
  expect(status).toBe(0);
  expect(files).toContain('PegasusSummarizer-ci.template.json');
  expect(bundles).toHaveLength(2);
  // Minified bundles that carry their own SDK (bundleAwsSDK) and our handler logic.
  for (const bundle of bundles) {
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle).toContain('batchItemFailures');
  }
  expect(bundles.some((b) => b.includes('InvokeEndpointAsync'))).toBe(true);
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
