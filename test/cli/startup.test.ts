import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The modules a fresh process has loaded after the CLI ran `args` (run through tsx, as the binary does). */
function modulesLoadedBy(args: string[]): string[] {
  const script = `
    const { run } = require('./cli/main.ts');
    run(${JSON.stringify(args)}, { stdout: () => {}, stderr: () => {} }).then(() => {
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));
    });`;
  const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout);
}

const heavy = (modules: string[]) => modules.filter((m) => /node_modules[\\/](@aws-sdk[\\/]client-|aws-cdk-lib|pdfjs-dist|mammoth|linkedom)/.test(m));

test.each([[['--help']], [['submit', '--help']], [['summaries', 'export', '--help']], [['no-such-command']]])('`summarizer %s` reads the command line without the AWS SDK, aws-cdk-lib or the extraction libraries', (args) => {
  const modules = modulesLoadedBy(args);
  expect(modules.some((m) => m.endsWith(path.join('cli', 'main.ts')))).toBe(true);
  expect(heavy(modules)).toEqual([]);
});

test('a dry run of a text file loads neither the AWS SDK nor the extraction libraries it does not need', () => {
  const manifest = path.join(os.tmpdir(), 'startup-dry-run.json');
  expect(heavy(modulesLoadedBy(['submit', path.join(ROOT, 'samples', 'articles', 'market-brief.txt'), '--dry-run', '--manifest', manifest]))).toEqual([]);
});

test('a command that needs AWS loads the clients then (the check can fail)', () => {
  const modules = modulesLoadedBy(['--region', 'us-east-1', 'cleanup']);
  expect(heavy(modules).some((m) => m.includes('client-cloudformation'))).toBe(true);
});

describe('how `npx summarizer` finds the CLI', () => {
  // npm 11's exec installs the project into its npx cache when the project's own package.json names
  // the bin (libnpmexec `hasPkgBin`), about 0.5 s per run; a link in node_modules/.bin is a file lookup.
  test('through a link in node_modules/.bin made at npm ci, not the package.json bin field', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin).toBeUndefined();
    expect(pkg.scripts.postinstall).toBe('node scripts/link-cli.cjs');
    expect(fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', 'summarizer'))).toBe(path.join(ROOT, 'cli', 'summarizer.cjs'));
  });

  test('and npx never fetches the unrelated registry package of the same name', () => {
    expect(fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^yes=false$/m);
  });
});
