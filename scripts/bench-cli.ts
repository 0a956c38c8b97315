/**
 * Benchmark (not a test): how long the CLI takes to answer, beside `npx cdk --version`, measured
 * side by side on this machine (wall time, median of 7 runs each, in alternation so load affects
 * both alike). Target: `--help` and `submit --help` in at most half the time of `npx cdk --version`;
 * a dry run of one small file in that time plus what the extraction itself takes.
 *
 *   npm run bench:cli
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const RUNS = 7;
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: 'true' };
const dryRun = ['submit', path.join(ROOT, 'samples', 'articles', 'market-brief.txt'), '--dry-run', '--manifest', path.join(os.tmpdir(), 'bench-cli-manifest.json')];
const cli = path.join(ROOT, 'cli', 'summarizer.cjs');
const cdkBin = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
// Through npx (as the README says), and the same programs started directly: npm exec's own lookup
// is part of the first figures, and larger for a project's own bin than for a dependency's.
const commands: Array<[string, string, string[]]> = [
  ['npx cdk --version', 'npx', ['cdk', '--version']],
  ['npx summarizer --help', 'npx', ['summarizer', '--help']],
  ['npx summarizer submit --help', 'npx', ['summarizer', 'submit', '--help']],
  ['npx summarizer submit <1 small file> --dry-run', 'npx', ['summarizer', ...dryRun]],
  ['cdk --version (its bin, no npx)', process.execPath, [cdkBin, '--version']],
  ['summarizer --help (its bin, no npx)', process.execPath, [cli, '--help']],
  ['summarizer submit --help (its bin, no npx)', process.execPath, [cli, 'submit', '--help']],
  ['summarizer <1 small file> --dry-run (no npx)', process.execPath, [cli, ...dryRun]],
];

function time(program: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(program, args, { cwd: ROOT, env, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`${program} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const samples = new Map(commands.map(([name]) => [name, [] as number[]]));
for (let i = 0; i < RUNS; i++) for (const [name, program, args] of commands) samples.get(name)!.push(time(program, args));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = (name: string) => median(samples.get(name.includes('no npx') ? 'cdk --version (its bin, no npx)' : 'npx cdk --version')!);
console.log(`${'command'.padEnd(48)} ${'median s'.padStart(9)} ${'vs cdk'.padStart(7)}   (${RUNS} runs each, ${os.cpus().length} cores, Node ${process.versions.node})`);
for (const [name] of commands) {
  const m = median(samples.get(name)!);
  console.log(`${name.padEnd(48)} ${m.toFixed(2).padStart(9)} ${(m / baseline(name)).toFixed(2).padStart(7)}`);
}
